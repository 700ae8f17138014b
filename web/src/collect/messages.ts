// The answer form's messages (Japanese: the questionnaire is Japanese). Kept apart from the
// staff app's tables so that the form's first load stays small.
export const m = {
  title: 'ウェルビーイング診断',
  promiseTitle: '匿名で回答できます',
  promise:
    'この回答フォームは無記名です。名前やメールアドレスは聞きません。回答は集計にだけ使われ、少人数の集まりの結果は表示されないため、誰がどう答えたかは会社にもセンターにもわかりません。',
  promiseShort: '無記名の回答です。誰が答えたかはわかりません。',
  storage:
    '回答は送信するまでこの端末のブラウザの中にだけ保存され、送信すると消えます。途中で閉じても、同じリンクを開けば続きから回答できます。',
  center: '対象センター: {name}',
  loading: '読み込んでいます…',
  next: '次へ',
  back: '戻る',
  send: '送信',
  sending: '送信しています…',
  page: '{n} / {total} ページ',
  progress: '回答の進み具合',
  attrsTitle: 'あなたについて',
  attrsLead: '集計の区分に使います。「選択しない」でもかまいません（職種だけは選んでください）。',
  positionLabel: '職種',
  notChosen: '選択してください',
  skipChoice: '選択しない',
  required: '（必須）',
  needPosition: '職種を選んでください。',
  unanswered: 'まだ選ばれていない質問が {n} 問あります。',
  commentTitle: '自由記述',
  commentHint: '任意です。{max}文字まで。個人が特定される内容（名前など）は書かないでください。',
  commentCount: '{n} / {max} 文字',
  commentTooLong: '{max}文字を超えています。',
  thanksTitle: 'ご回答ありがとうございました',
  thanksBody: '回答を受け付けました。このページは閉じてかまいません。この端末に保存していた回答は消去しました。',
  closedTitle: '回答の受付は終了しました',
  closedBody: 'この診断の回答期間は終わっています。ご協力ありがとうございました。',
  notFoundTitle: '回答リンクが見つかりません',
  notFoundBody: 'URL が正しいか確認してください。わからない場合はセンターの担当者に確認してください。',
  rateLimited:
    'ただいま回答が集中しています。回答はこの端末に保存されています。1分ほど待ってから、もう一度「送信」を押してください。',
  network:
    '通信できませんでした。回答はこの端末に保存されています。電波のよい場所で、もう一度お試しください。',
  badRequest: '回答を受け付けられませんでした（{detail}）。',
  server: 'サーバーで問題が起きました。回答はこの端末に保存されています。しばらくしてからもう一度お試しください。',
  retry: '再読み込み',
} as const;

export type Msg = keyof typeof m;

export function t(key: Msg, params?: Record<string, string | number>): string {
  const s: string = m[key];
  return params ? s.replace(/\{(\w+)\}/g, (x, k: string) => (k in params ? String(params[k]) : x)) : s;
}

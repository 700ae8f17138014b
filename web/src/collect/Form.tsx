export function Form() {
  return <main><h1>ウェルビーイング診断</h1></main>;
}

export interface Item {
  id: string;
  text: string;
}
export interface Group {
  code: string;
  name: string;
  about?: string;
  items: Item[];
}
export interface Attribute {
  label?: string;
  choices?: string[];
}
export interface CollectDoc {
  wave: string;
  center: { code: string; name: string };
  questionnaire: {
    title?: string;
    guidance?: string;
    scale: { points: number; labels: string[] };
    attributes?: Partial<Record<'position' | 'segment' | 'team' | 'tenure', Attribute>>;
    elements: Group[];
    overall?: Group;
    happiness?: Group;
    comment?: { id: string; text: string };
  };
  positions: { code: string; label: string }[];
  teams?: string[];
  comment_max_chars: number;
}

/* What the form keeps in localStorage until it is sent. */
export interface Draft {
  step: number;
  position: string;
  segment: string;
  team: string;
  tenure: string;
  answers: Record<string, number>;
  comment: string;
}

// Shapes of the API replies the screens read (only the fields they use).
export interface Center {
  code: string;
  name: string;
  company: string;
  operators: number;
  staff: number;
  headcounts: Record<'OP' | 'SV' | 'MGR' | 'OTHER', number>;
}

export interface Wave {
  code: string;
  created_at: number;
  items: number;
  open_centers: string[]; /* centers the caller reaches whose answer link is open */
}

export interface ResponseCount {
  center: string;
  respondents: number;
  by_position: Record<string, number>;
  operators_enrolled: number;
  operator_response_rate: number | null;
}

export interface Responses {
  wave: string;
  centers: ResponseCount[];
}

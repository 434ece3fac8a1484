/**
 * What the stages measure, as events a dashboard can show: the one interface a stage reports
 * through (StageContext.metrics). The stages never see Prometheus: a worker turns these events
 * into its metrics, labelled by the run; `memgen run` passes no sink and nothing is recorded.
 * Rates and accuracies are fractions in [0, 1]; nothing here names a neuron, an item or a step
 * as an identity, so every label a sink derives from an event stays bounded.
 */

/** Steering measured for one setting: targeted switch rate beside its matched control. */
export interface SteeringMeasurement {
  /** The setting's id (the same setting has the same id in every seed). */
  setting: string;
  direction: 'mem_to_gen' | 'gen_to_mem';
  targeted: number;
  control: number;
}

export type ScienceEvent =
  /** One optimisation step: its loss and the tokens (padded batch positions) it trained on. */
  | { kind: 'train-step'; loss: number; tokens: number }
  /** An evaluation: conflict answers (gen / mem / other of n) and balanced rule accuracy. */
  | {
      kind: 'evaluation';
      gen: number;
      mem: number;
      other: number;
      n: number;
      ruleAccuracy: number;
      shortcutBaseline: number;
    }
  /** The checkpoint training ended with (selected, or the last one when nothing qualified). */
  | { kind: 'selected'; step: number; qualified: boolean }
  /** Fraction of decoded equivalent pairs whose members flip between gen and mem. */
  | { kind: 'flip-rate'; rate: number }
  /** Held-out probe accuracy at a residual site (one per layer), raw and within-pair centred. */
  | { kind: 'probe'; site: string; centring: 'raw' | 'centred'; accuracy: number }
  | ({ kind: 'steering' } & SteeringMeasurement);

export interface MetricsSink {
  record(event: ScienceEvent): void;
}

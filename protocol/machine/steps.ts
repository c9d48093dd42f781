import type { Method, Partner, Step } from '../schemas';
import type { FloorRecord } from '../room';

/** The step table of PROTOCOL.md section 4: who acts in each step. */
export const STEP_ACTOR: Record<Step, 'speaker' | 'listener'> = {
  share: 'speaker',
  mirror: 'listener',
  check: 'speaker',
  summary: 'listener',
  validate: 'listener',
  empathize: 'listener',
  heard: 'speaker',
};

const IMAGO_STEPS: readonly Step[] = ['share', 'mirror', 'check', 'summary', 'validate', 'empathize', 'heard'];
const SPEAKER_LISTENER_STEPS: readonly Step[] = ['share', 'mirror', 'check', 'heard'];

/** The steps a method uses, in their order within a turn. */
export function stepsFor(method: Method): readonly Step[] {
  return method === 'imago' ? IMAGO_STEPS : SPEAKER_LISTENER_STEPS;
}

export function otherPartner(p: Partner): Partner {
  return p === 'A' ? 'B' : 'A';
}

/** The partner whose command moves the floor's current step on. */
export function actorOf(floor: Pick<FloorRecord, 'speaker' | 'step'>): Partner {
  return STEP_ACTOR[floor.step] === 'speaker' ? floor.speaker : otherPartner(floor.speaker);
}

/** The step that follows an `advance` of `step` (every step but `check` and `heard`). */
export const NEXT_AFTER_ADVANCE: Partial<Record<Step, Step>> = {
  share: 'mirror',
  mirror: 'check',
  summary: 'validate',
  validate: 'empathize',
  empathize: 'heard',
};

/**
 * The load generator: a child process of `npm run bench`, so that the orchestrator stays
 * idle and the sockets' work is measured apart from the server's. It takes one task over
 * IPC, runs it, sends the outcome back and exits.
 */
import { runLoad, type LoadPlan, type LoadResult } from './generator/run-load';
import { seedBusyRooms, type SeedPlan } from './generator/seed';
import type { RoomKeys } from './generator/setup';

/** What the orchestrator asks of the generator. */
export type GeneratorTask = { task: 'load'; plan: LoadPlan } | { task: 'seed'; plan: SeedPlan };

/** What the generator answers. */
export type GeneratorAnswer =
  | { ok: true; task: 'load'; result: LoadResult }
  | { ok: true; task: 'seed'; result: RoomKeys[] }
  | { ok: false; error: string };

async function perform(message: GeneratorTask): Promise<GeneratorAnswer> {
  try {
    if (message.task === 'seed') return { ok: true, task: 'seed', result: await seedBusyRooms(message.plan) };
    return { ok: true, task: 'load', result: await runLoad(message.plan) };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
}

process.once('message', (message: GeneratorTask) => {
  void perform(message).then((answer) => {
    process.send!(answer, () => process.exit(0));
  });
});

import type { Summary } from '../schemas';
import type { Room } from '../room';

/** The content-free figures of PROTOCOL.md section 7, the running share time included. */
export function summaryOf(room: Room, now: number): Summary {
  const partner = (p: 'A' | 'B') => {
    const s = room.stats[p];
    const clock = room.stats.shareClock;
    const running = clock !== null && clock.speaker === p ? Math.max(0, now - clock.since) : 0;
    return {
      floorMs: s.floorMs + running,
      turns: s.turns,
      missedMirrors: s.missedMirrors,
      breaks: s.breaks.map((b) => ({ ...b })),
      breakCount: s.breakCount,
      repairs: s.repairs,
    };
  };
  return {
    roomId: room.id,
    method: room.method,
    createdAt: room.createdAt,
    dialogueStartedAt: room.stats.dialogueStartedAt,
    endedAt: room.stats.endedAt,
    appointment: room.appointment === null ? null : { ...room.appointment },
    partners: { A: partner('A'), B: partner('B') },
  };
}

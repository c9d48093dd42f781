import { describe, expectTypeOf, it } from 'vitest';
import type { CommandAck, StateView } from '../../protocol';
import type { DuologueServer } from '../../server/realtime/socket-gateway';
import type { ClientSocket } from '../support/member';

describe('the typed Socket.IO contract', () => {
  it('pins the events both ways', () => {
    const check = (io: DuologueServer, socket: ClientSocket): void => {
      io.to('room').emit('state', {} as StateView);
      io.to('room').emit('deleted');
      // @ts-expect-error the server sends no such event
      io.to('room').emit('flood');
      // @ts-expect-error `state` carries a view
      io.to('room').emit('state', 42);
      socket.emit('command', { id: 'typed-cmd-01', type: 'ready' }, (ack) => {
        expectTypeOf(ack).toEqualTypeOf<CommandAck>();
      });
      // @ts-expect-error an unknown command type
      socket.emit('command', { id: 'typed-cmd-02', type: 'shout' }, () => undefined);
      socket.emit('time', (answer) => expectTypeOf(answer.now).toBeNumber());
    };
    expectTypeOf(check).toBeFunction();
  });
});

import type {
  CreateRoomBody,
  CreateRoomResponse,
  ErrorBody,
  InvitePreviewResponse,
  JoinRoomResponse,
  Summary,
} from '@protocol/schemas';

/** A refused HTTP request: the protocol's error code and the server's plain sentence. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    /** How long the server asked to wait before trying again (`Retry-After`, seconds), when it said. */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** A `Retry-After` given in whole seconds (the server's form; a date is not used here), else null. */
function retryAfter(response: Response): number | null {
  const value = response.headers.get('retry-after')?.trim() ?? '';
  if (!/^\d{1,6}$/.test(value)) return null;
  const seconds = Number(value);
  return seconds > 0 ? seconds : null;
}

async function request(path: string, init: RequestInit): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError('network', '', 0);
  }
  if (response.ok) return response;
  let body: Partial<ErrorBody> = {};
  try {
    body = (await response.json()) as Partial<ErrorBody>;
  } catch {
    // A proxy's error page: keep the status alone.
  }
  throw new ApiError(body.error?.code ?? 'internal', body.error?.message ?? '', response.status, retryAfter(response));
}

function jsonBody(body: unknown): RequestInit {
  return { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

function withKey(seatKey: string, init: RequestInit = {}): RequestInit {
  // The key travels in a header only, never in an address.
  return { ...init, headers: { authorization: `Bearer ${seatKey}` } };
}

const roomPath = (roomId: string): string => `/api/rooms/${encodeURIComponent(roomId)}`;

/** `POST /api/rooms`: creates a room and claims its first seat. */
export async function createRoom(body: CreateRoomBody): Promise<CreateRoomResponse> {
  return (await (await request('/api/rooms', jsonBody(body))).json()) as CreateRoomResponse;
}

/** `POST /api/rooms/:id/invite`: who invites, in what role, and whether the seat is still open. */
export async function previewInvite(roomId: string, invite: string): Promise<InvitePreviewResponse> {
  return (await (await request(`${roomPath(roomId)}/invite`, jsonBody({ invite }))).json()) as InvitePreviewResponse;
}

/** `POST /api/rooms/:id/join`: claims the seat an invite code opens. */
export async function joinRoom(roomId: string, invite: string, name: string): Promise<JoinRoomResponse> {
  return (await (await request(`${roomPath(roomId)}/join`, jsonBody({ invite, name }))).json()) as JoinRoomResponse;
}

/** `GET /api/rooms/:id/summary`: the content-free figures of a talk. */
export async function fetchSummary(roomId: string, seatKey: string): Promise<Summary> {
  return (await (await request(`${roomPath(roomId)}/summary`, withKey(seatKey))).json()) as Summary;
}

/** `GET /api/rooms/:id/appointment.ics`: the agreed next talk as a calendar file. */
export async function fetchAppointment(roomId: string, seatKey: string): Promise<Blob> {
  return (await request(`${roomPath(roomId)}/appointment.ics`, withKey(seatKey))).blob();
}

/** `DELETE /api/rooms/:id`: deletes the talk for everyone. */
export async function deleteRoom(roomId: string, seatKey: string): Promise<void> {
  await request(roomPath(roomId), withKey(seatKey, { method: 'DELETE' }));
}

/** Hands a blob to the browser as a file download. */
export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

import type { CreateRoomBody, CreateRoomResponse, JoinRoomResponse } from '../../protocol';

/** A JSON response: status, parsed body (or null) and headers. */
export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/** Calls the HTTP API; bodies are sent as JSON unless `raw` is given. */
export async function api<T = unknown>(
  url: string,
  path: string,
  init: { method?: string; json?: unknown; raw?: string; seatKey?: string; headers?: Record<string, string> } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.json !== undefined || init.raw !== undefined) headers['content-type'] ??= 'application/json';
  if (init.seatKey !== undefined) headers.authorization = `Bearer ${init.seatKey}`;
  const response = await fetch(`${url}${path}`, {
    method: init.method ?? (init.json !== undefined || init.raw !== undefined ? 'POST' : 'GET'),
    headers,
    body: init.raw ?? (init.json === undefined ? undefined : JSON.stringify(init.json)),
  });
  const text = await response.text();
  const isJson = response.headers.get('content-type')?.includes('application/json') ?? false;
  return { status: response.status, body: (isJson && text !== '' ? JSON.parse(text) : text) as T, headers: response.headers };
}

export async function createRoom(url: string, body: CreateRoomBody): Promise<CreateRoomResponse> {
  const response = await api<CreateRoomResponse>(url, '/api/rooms', { json: body });
  if (response.status !== 201) throw new Error(`create answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body;
}

export async function joinRoom(url: string, roomId: string, invite: string, name: string): Promise<JoinRoomResponse> {
  const response = await api<JoinRoomResponse>(url, `/api/rooms/${roomId}/join`, { json: { invite, name } });
  if (response.status !== 200) throw new Error(`join answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body;
}

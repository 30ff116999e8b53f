// The benchmarks' Server-Sent Events reader: GETs an /api/v1 stream with the admin key and yields
// each event as { id, event, data } (data parsed as JSON) as soon as its frame is complete.
import { TextDecoder } from 'node:util';

export async function* sse(url, key, { signal } = {}) {
  const response = await fetch(url, { headers: { authorization: `Bearer ${key}` }, signal });
  if (!response.ok) {
    const error = new Error(`${url}: HTTP ${response.status} ${await response.text()}`);
    error.status = response.status;
    throw error;
  }
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body) {
    buffer += decoder.decode(chunk, { stream: true });
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = { id: undefined, event: 'message', data: '' };
      for (const line of frame.split('\n')) {
        const colon = line.indexOf(':');
        if (colon <= 0) continue; // comments (keep-alives) and blank lines
        const field = line.slice(0, colon);
        const value = line.slice(colon + 1).replace(/^ /, '');
        if (field === 'data') event.data += value;
        else if (field === 'event' || field === 'id') event[field] = value;
      }
      if (event.data !== '') event.data = JSON.parse(event.data);
      yield event;
    }
  }
}

/**
 * The one event bus, on node:diagnostics_channel (channels named
 * `stayalive:<event>`), so anything in the process — logs, metrics, the API,
 * tests, or an APM tool — can subscribe without the publisher knowing.
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import type { EventMap, EventName } from './events.js';

export type Listener<K extends EventName> = (event: EventMap[K]) => void;

const channels = new Map<EventName, diagnosticsChannel.Channel>();

function channel(name: EventName): diagnosticsChannel.Channel {
  let ch = channels.get(name);
  if (!ch) {
    ch = diagnosticsChannel.channel(`stayalive:${name}`);
    channels.set(name, ch);
  }
  return ch;
}

export function publish<K extends EventName>(name: K, event: EventMap[K]): void {
  const ch = channel(name);
  if (ch.hasSubscribers) ch.publish(event);
}

/** Subscribe; returns the function that unsubscribes. */
export function subscribe<K extends EventName>(name: K, listener: Listener<K>): () => void {
  const ch = channel(name);
  const fn = (msg: unknown): void => listener(msg as EventMap[K]);
  ch.subscribe(fn);
  return () => {
    ch.unsubscribe(fn);
  };
}

/** Subscribe to several events with one listener that receives the name too. */
export function subscribeAll(
  names: readonly EventName[],
  listener: <K extends EventName>(name: K, event: EventMap[K]) => void,
): () => void {
  const offs = names.map((n) => subscribe(n, (e) => listener(n, e)));
  return () => offs.forEach((off) => off());
}

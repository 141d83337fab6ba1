// A thread's two tracks as the console words them: the peer track (open → answered → solved)
// timed from when the thread was asked, the agent track (queued → claimed → escalated →
// resolved) timed from when the item entered the queue.
import type { QueueItem } from './api';
import { formatDuration } from './format';

export interface TrackLine {
  status: string;
  /** "first reply after 2 h 10 min", or "first reply —" while there is none */
  firstResponse: string;
  /** the same for screen readers and tooltips, units spelled out */
  label: string;
}

const PEER_STATUS: Record<string, string> = { open: 'open', answered: 'answered', solved: 'solved', closed: 'closed' };

function after(fromIso: string, toIso: string | null, style: 'short' | 'long'): string | null {
  if (!toIso) return null;
  return formatDuration((Date.parse(toIso) - Date.parse(fromIso)) / 60_000, style);
}

export function peerTrack(item: Pick<QueueItem, 'thread' | 'tracks'>): TrackLine {
  const status = PEER_STATUS[item.tracks.peer.status] ?? item.tracks.peer.status;
  const took = after(item.thread.createdAt, item.tracks.peer.firstReplyAt, 'short');
  const tookLong = after(item.thread.createdAt, item.tracks.peer.firstReplyAt, 'long');
  return {
    status,
    firstResponse: took ? `first reply after ${took}` : 'first reply\u00a0—',
    label: `Peer track: ${status}, ${tookLong ? `first peer reply ${tookLong} after the thread was asked` : 'no peer reply yet'}`,
  };
}

export function agentTrack(item: Pick<QueueItem, 'openedAt' | 'tracks'>): TrackLine {
  const status = item.tracks.agent.status;
  const took = after(item.openedAt, item.tracks.agent.firstResponseAt, 'short');
  const tookLong = after(item.openedAt, item.tracks.agent.firstResponseAt, 'long');
  return {
    status,
    firstResponse: took ? `first response after ${took}` : 'first response\u00a0—',
    label: `Agent track: ${status}, ${tookLong ? `first staff response ${tookLong} after the item opened` : 'no staff response yet'}`,
  };
}

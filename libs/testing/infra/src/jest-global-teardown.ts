import { stopStartedServers } from './servers';

export default function globalTeardown(): void {
  stopStartedServers();
}

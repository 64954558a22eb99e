// The entry of the page and of any page that embeds the playground: it
// registers the one custom element that is the app (its styles live in its
// shadow root, so this is all an embedding page needs), and the offline
// service worker for pages of Circuitscope's own origin.

import { registerOffline } from './offline/register';
import { CircuitPlayground } from './playground';

if (!customElements.get('circuit-playground')) {
  customElements.define('circuit-playground', CircuitPlayground);
}
// Offline after the first visit, on this site's own pages.
registerOffline();

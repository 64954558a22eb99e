// The page's entry: styles, and the one custom element that is the app.

import './styles.css';
import { CircuitPlayground } from './playground';

if (!customElements.get('circuit-playground')) {
  customElements.define('circuit-playground', CircuitPlayground);
}

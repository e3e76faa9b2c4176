/** The web console's entry point: renders the app into the page. */

import './console.css';
import { render } from 'preact';
import { App } from './App';

const root = document.getElementById('app');
if (root) render(<App />, root);

import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';
import { reportFirstPaint } from './lib/api';

mount(App, { target: document.getElementById('app')! });

// The frame after the first one is on screen: report start-up time (make bench-desktop).
requestAnimationFrame(() => requestAnimationFrame(() => void reportFirstPaint().catch(() => {})));

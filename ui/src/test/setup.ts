// jsdom has no canvas: answer "no 2D context" quietly, as a browser without canvas would, so
// the chart component skips drawing in component tests (the real WebView draws it end to end).
HTMLCanvasElement.prototype.getContext = (() => null) as typeof HTMLCanvasElement.prototype.getContext;

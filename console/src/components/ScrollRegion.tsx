/** A region that scrolls wide tables sideways. */

import type { ComponentChildren } from 'preact';

/** A wide table that scrolls sideways on narrow screens; keyboard users can focus it to scroll. */
export function ScrollRegion({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    // biome-ignore lint/a11y/useSemanticElements lint/a11y/noNoninteractiveTabindex: a scrolling region must be focusable so keyboard users can scroll it (WCAG 2.1.1); a <section> would add a landmark per table.
    <div class="table-wrap" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}

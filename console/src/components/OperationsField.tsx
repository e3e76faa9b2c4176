/** The field that edits a webhook's operations: a checkbox grid plus free text. */

import type { SubscribableEvents } from '../types';
import { ScrollRegion } from './ScrollRegion';

const ALL = '*.*';

/** Operations the checkbox grid shows, so the rest can be edited as free text. */
function gridOperations(events: SubscribableEvents): Set<string> {
  const objects = [...events.objects, '*'];
  const actions = [...events.actions, '*'];
  return new Set(objects.flatMap((object) => actions.map((action) => `${object}.${action}`)));
}

export function splitOperations(operations: string[], events: SubscribableEvents) {
  const grid = gridOperations(events);
  return {
    checked: operations.filter((operation) => grid.has(operation)),
    other: operations.filter((operation) => !grid.has(operation)),
  };
}

export interface OperationsValue {
  checked: string[];
  /** Free text: operations the grid does not offer, comma- or space-separated. */
  other: string;
}

export function operationsFrom(value: OperationsValue): string[] {
  const other = value.other
    .split(/[\s,]+/)
    .map((operation) => operation.trim())
    .filter((operation) => operation !== '');
  return [...new Set([...value.checked, ...other])];
}

/**
 * Operation checkboxes: one per configured object and action, plus the wildcards (`person.*`,
 * `*.created`, `*.*`), and a text field for anything else (objects a single-table source may name).
 */
export function OperationsField({
  events,
  value,
  onChange,
  error,
}: {
  events: SubscribableEvents;
  value: OperationsValue;
  onChange: (value: OperationsValue) => void;
  error: string | undefined;
}) {
  const checked = new Set(value.checked);
  const everything = checked.has(ALL);
  const toggle = (operation: string, on: boolean) => {
    const next = new Set(checked);
    if (on) next.add(operation);
    else next.delete(operation);
    onChange({ ...value, checked: [...next] });
  };
  const objects = [...events.objects, '*'];
  const actions = [...events.actions, '*'];
  const describedBy = ['operations-hint', error ? 'operations-error' : ''].filter(Boolean).join(' ');

  return (
    <fieldset
      class="field"
      id="field-operations"
      aria-describedby={describedBy}
      aria-invalid={error ? 'true' : undefined}
    >
      <legend>Operations</legend>
      <p id="operations-hint" class="hint">
        Which events the webhook receives: <code>object.action</code>, with <code>*</code> for any.
      </p>
      <label class="check">
        <input
          type="checkbox"
          checked={everything}
          onChange={(e) => toggle(ALL, (e.currentTarget as HTMLInputElement).checked)}
        />
        <span>
          All events (<code>*.*</code>)
        </span>
      </label>
      <ScrollRegion label="Operations by object and action">
        <table class="operations">
          <thead>
            <tr>
              <th scope="col">Object</th>
              {actions.map((action) => (
                <th scope="col" key={action}>
                  {action === '*' ? 'any action' : action}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {objects.map((object) => (
              <tr key={object}>
                <th scope="row">{object === '*' ? 'any object' : object}</th>
                {actions.map((action) => {
                  const operation = `${object}.${action}`;
                  if (operation === ALL) return <td key={action} />;
                  return (
                    <td key={action}>
                      <input
                        type="checkbox"
                        aria-label={operation}
                        disabled={everything}
                        checked={everything || checked.has(operation)}
                        onChange={(e) => toggle(operation, (e.currentTarget as HTMLInputElement).checked)}
                      />
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollRegion>
      <label for="operations-other">
        Other operations{events.anyObject ? ' (objects a single-table source names)' : ''}
      </label>
      <input
        id="operations-other"
        class="mono"
        value={value.other}
        placeholder="e.g. workspaceMember.created"
        onInput={(e) => onChange({ ...value, other: (e.currentTarget as HTMLInputElement).value })}
      />
      {error && (
        <p id="operations-error" class="field-error">
          {error}
        </p>
      )}
    </fieldset>
  );
}

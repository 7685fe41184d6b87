/** Facts about customer-facing publication, recorded as deliveries happen (status page, email). */
import type { HandlerGroup } from './context.ts';

export const publicationHandlers: HandlerGroup<'record_publication' | 'record_publication_failure'> = {
  record_publication(command, _state, step) {
    const { type: _t, ...data } = command;
    step.emit('customer_update_published', data);
    // Responders get the page's link once, when the page incident exists.
    if (command.channel === 'statuspage' && command.action === 'create' && command.url) {
      step.fx({ kind: 'slack.post', to: { kind: 'incident' }, message: { template: 'statuspage_live', url: command.url } });
    }
    return undefined;
  },

  record_publication_failure(command, _state, step) {
    const { type: _t, ...data } = command;
    step.emit('customer_update_failed', data);
    step.fx({ kind: 'slack.post', to: { kind: 'incident' }, message: { template: 'publication_failed', channel: command.channel, ...(command.to ? { to: command.to } : {}), reason: command.reason } });
    return undefined;
  },
};

/** Facts about customer-facing publication, recorded as deliveries happen (status page, email). */
import type { HandlerGroup } from './context.ts';

export const publicationHandlers: HandlerGroup<'record_publication' | 'record_publication_failure'> = {
  record_publication(command, state, step) {
    const { type: _t, ...data } = command;
    step.emit('customer_update_published', data);
    // Responders get the page's link once, when the page incident exists.
    if (command.channel === 'statuspage' && command.action === 'create' && command.url) {
      step.fx({ kind: 'slack.post', to: { kind: 'incident' }, message: { template: 'text', text: `Status page incident for INC-${state.number} is live: ${command.url}` } });
    }
    return undefined;
  },

  record_publication_failure(command, state, step) {
    const { type: _t, ...data } = command;
    step.emit('customer_update_failed', data);
    const what = command.channel === 'statuspage' ? 'The status page refused an update' : `The mail server refused the email to ${command.to ?? 'a customer contact'}`;
    step.fx({ kind: 'slack.post', to: { kind: 'incident' }, message: { template: 'text', text: `:warning: ${what} of INC-${state.number}: ${command.reason}. It was not published; fix the cause and post the update again.` } });
    return undefined;
  },
};

/** Expected failures of a command, as values with a message a responder can read. */
export type DomainErrorCode =
  | 'incident.not_declared'
  | 'incident.already_declared'
  | 'incident.closed'
  | 'incident.not_closed'
  | 'incident.already_resolved'
  | 'incident.not_resolved'
  | 'severity.unknown'
  | 'severity.unchanged'
  | 'status.invalid'
  | 'role.unknown'
  | 'role.not_member'
  | 'checklist.unknown_item'
  | 'checklist.already_done'
  | 'input.empty'
  | 'input.too_long'
  | 'customer.unknown'
  | 'note.unknown_message'
  | 'page.not_linked';

export interface DomainError {
  code: DomainErrorCode;
  message: string;
}

export const domainError = (code: DomainErrorCode, message: string): DomainError => ({ code, message });

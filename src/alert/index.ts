/** smtp_alert mails: the subscriber the daemon starts, and the pure parts for tests and tools. */
export { alertText, checkerBody, composeMessage, dotStuff, rfc5322Date } from './compose.js';
export type { Alert, AlertText, MessageParts } from './compose.js';
export {
  checkerMailDecision,
  groupAlerts,
  instanceAlerts,
  mailConfigured,
  realServerAlerts,
  vrrpMailDecision,
} from './rules.js';
export { describeFailure, sendMail } from './smtp-client.js';
export type { SmtpMail, SmtpResult } from './smtp-client.js';
export { startSmtpAlerts } from './subscriber.js';
export type { SmtpAlertOptions, SmtpAlerts } from './subscriber.js';

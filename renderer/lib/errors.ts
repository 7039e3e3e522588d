/**
 * An AppError in plain words in the UI's language, with its request id. The rule (and its table) is pure code in the
 * shared contract, preload/rules/messages.ts, so that the main process words its native notifications the same way;
 * this module is the renderer's name for it.
 */
export { asErrorData, describeError, describeNotice, describeReason, errorLine, wordParams, type PlainError, type Translate } from '@contract/rules/messages'

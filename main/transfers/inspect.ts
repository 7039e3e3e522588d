/** Format inspection: the implementation is split per format family in ./inspect/ (see ./inspect/index.ts). */
export {
  assertUploadable,
  identityChange,
  identityOf,
  inspectFile,
  inspectFileWithIdentity,
  inspectHandle,
  inspectSource,
  verdictName,
  verdictOf,
  type FileIdentity,
} from './inspect/index'

/**
 * Issue 11.5: the stored credentials changed shape (flat -> the `auth` union), but what a saved secret is bound to must
 * not: secrets.json keeps `identityTag(profile)` next to each encrypted secret, and a tag that no longer matches drops
 * the secret. The tags and identity keys below were computed by the flat-profile code (settings v2) for the same
 * profiles; the union must give the very same ones.
 */
import { describe, expect, it } from 'vitest'
import { appCredentialAuth, defaultProfileInput, passwordAuth, type ProfileAuth } from '../../../preload/api'
import { identityTag, secretIdentity } from '../../../main/profiles/trust'
import { identityKey } from '../../../main/profiles/model'

const at = (auth: ProfileAuth) => defaultProfileInput({ authUrl: 'https://ks.example:5000/v3', auth })

const CASES: [string, ProfileAuth, string, string, string][] = [
  [
    'password, user by name',
    passwordAuth({ username: 'alice', projectName: 'ops' }),
    '["https://ks.example:5000","password","name:alice@name:Default"]',
    'cxyAOPoX-QA5hjpFiLvDVb',
    'https://ks.example:5000/v3|u:alice@default|ops@default',
  ],
  [
    'password, domains by id',
    passwordAuth({ username: 'alice', userDomainId: 'd1', userDomainName: '', projectName: 'ops', projectDomainId: 'pd' }),
    '["https://ks.example:5000","password","name:alice@id:d1"]',
    'Xotg7byxH7B0X0b0XWHgFA',
    'https://ks.example:5000/v3|u:alice@d1|ops@pd',
  ],
  [
    'password, user and project by id',
    passwordAuth({ userId: 'u1', projectId: 'p1' }),
    '["https://ks.example:5000","password","id:u1"]',
    'AastESdiqTSfqhWzPPehup',
    'https://ks.example:5000/v3|u:u1|p1',
  ],
  [
    'application credential by id',
    appCredentialAuth({ appCredentialId: 'ac1' }),
    '["https://ks.example:5000","applicationCredential","id:ac1"]',
    'Vc2xVAnyXrPIwfyNUPDzKc',
    'https://ks.example:5000/v3|ac:ac1|',
  ],
  [
    'application credential by name, user by name',
    appCredentialAuth({ appCredentialName: 'acn', username: 'bob', userDomainName: 'Dom' }),
    '["https://ks.example:5000","applicationCredential","name:acn/name:bob@name:Dom"]',
    'c6ynsc1cxLqcZ7Wx3NOAp6',
    'https://ks.example:5000/v3|ac:acn/bob|',
  ],
  [
    'application credential by name, user by id',
    appCredentialAuth({ appCredentialName: 'acn', userId: 'u9' }),
    '["https://ks.example:5000","applicationCredential","name:acn/id:u9"]',
    'fZeN8770AMXXS7XTq1_Qg-',
    'https://ks.example:5000/v3|ac:acn/u9|',
  ],
]

describe('a saved secret stays bound to the same identity after the change of shape', () => {
  it.each(CASES)('%s', (_what, auth, identity, tag, key) => {
    const p = at(auth)
    expect(secretIdentity(p)).toBe(identity)
    expect(identityTag(p)).toBe(tag)
    expect(identityKey(p)).toBe(key)
  })
})

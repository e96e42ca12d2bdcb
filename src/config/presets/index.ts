/**
 * Preset registry: `preset: NAME` on a stream looks the name up here; an unknown name is a
 * config error listing presetNames(). docs/presets.md documents each one.
 */
import type { Preset } from './types.ts'
import { apacheAuth } from './apache-auth.ts'
import { apacheBadbots } from './apache-badbots.ts'
import { apacheBotsearch } from './apache-botsearch.ts'
import { apacheNoscript } from './apache-noscript.ts'
import { apacheOverflows } from './apache-overflows.ts'
import { haproxyHttpAuth } from './haproxy-http-auth.ts'
import { nginxBadRequest } from './nginx-bad-request.ts'
import { nginxForbidden } from './nginx-forbidden.ts'
import { nginxProbe } from './nginx-probe.ts'
import { dovecot } from './dovecot.ts'
import { nextcloud } from './nextcloud.ts'
import { nginxBotsearch } from './nginx-botsearch.ts'
import { nginxHttpAuth } from './nginx-http-auth.ts'
import { nginxLimitReq } from './nginx-limit-req.ts'
import { postfix } from './postfix.ts'
import { recidive } from './recidive.ts'
import { sshd } from './sshd.ts'
import { dropbear } from './dropbear.ts'
import { pamGeneric } from './pam-generic.ts'
import { traefikAuth } from './traefik-auth.ts'
import { vaultwarden } from './vaultwarden.ts'
import { roundcubeAuth } from './roundcube-auth.ts'
import { gitlab } from './gitlab.ts'
import { grafana } from './grafana.ts'
import { mysqldAuth } from './mysqld-auth.ts'
import { mongodbAuth } from './mongodb-auth.ts'
import { namedRefused } from './named-refused.ts'
import { forgejo, gitea } from './forgejo.ts'
import { matrixSynapse } from './matrix-synapse.ts'
import { exim } from './exim.ts'
import { eximSpam } from './exim-spam.ts'
import { courierAuth } from './courier-auth.ts'
import { courierSmtp } from './courier-smtp.ts'
import { cyrusImap } from './cyrus-imap.ts'
import { sendmailAuth } from './sendmail-auth.ts'
import { sendmailReject } from './sendmail-reject.ts'
import { vsftpd } from './vsftpd.ts'
import { proftpd } from './proftpd.ts'
import { pureFtpd } from './pure-ftpd.ts'

export type { Preset, PresetFilter } from './types.ts'

const PRESETS: readonly Preset[] = [
  sshd,
  dropbear,
  pamGeneric,
  nginxHttpAuth,
  nginxLimitReq,
  nginxBotsearch,
  apacheAuth,
  postfix,
  dovecot,
  nginxForbidden,
  nginxBadRequest,
  nginxProbe,
  apacheBadbots,
  apacheBotsearch,
  apacheNoscript,
  apacheOverflows,
  haproxyHttpAuth,
  vaultwarden,
  nextcloud,
  traefikAuth,
  recidive,
  roundcubeAuth,
  gitlab,
  grafana,
  mysqldAuth,
  mongodbAuth,
  namedRefused,
  forgejo,
  gitea,
  matrixSynapse,
  exim,
  eximSpam,
  courierAuth,
  courierSmtp,
  cyrusImap,
  sendmailAuth,
  sendmailReject,
  vsftpd,
  proftpd,
  pureFtpd
]

export function getPreset (name: string): Preset | undefined {
  return PRESETS.find(p => p.name === name)
}

export function presetNames (): string[] {
  return PRESETS.map(p => p.name).sort()
}

/** every preset, for documentation and tests */
export function allPresets (): readonly Preset[] {
  return PRESETS
}

import type { Preset, PresetFilter } from './types.ts'
import { accessHead } from './web-prefix.ts'

/**
 * Known e-mail harvesters and spam bots by their exact User-Agent (fail2ban apache-badbots; the
 * names are the user-agents.org list that filter was built from). The User-Agent is the client's
 * own text and the last field of the `combined` format; the address is the line's first field, so
 * a bot naming itself only bans itself. The whole User-Agent must be one of the names.
 */
const BOTS: readonly string[] = [
  'EmailCollector', 'WebEMailExtrac', 'TrackBack/1.02',
  'atSpider/1.0', 'autoemailspider', 'China Local Browse 2.6', 'ContentSmartz', 'DataCha0s/2.0',
  'DBrowse 1.4b', 'DBrowse 1.4d', 'Demo Bot DOT 16b', 'Demo Bot Z 16b', 'DSurf15a 01', 'DSurf15a 71',
  'DSurf15a 81', 'DSurf15a VA', 'EBrowse 1.4b', 'Educate Search VxB', 'EmailSiphon', 'EmailWolf 1.00',
  'ESurf15a 15', 'ExtractorPro', 'Franklin Locator 1.8', 'FSurf15a 01', 'Full Web Bot 0416B',
  'Full Web Bot 0516B', 'Full Web Bot 2816B', 'Industry Program 1.0.x', 'ISC Systems iRc Search 2.1',
  'IUPUI Research Bot v 1.9a', 'LARBIN-EXPERIMENTAL (efp@gmx.net)', 'LetsCrawl.com/1.0 +http://letscrawl.com/',
  'Lincoln State Web Browser', 'LWP::Simple/5.803', 'Mac Finder 1.0.xx', 'MFC Foundation Class Library 4.0',
  'Microsoft URL Control - 6.00.8xxx', 'Missauga Locate 1.0.0', 'Missigua Locator 1.9', 'Missouri College Browse',
  'Mizzu Labs 2.2', 'Mo College 1.9', 'Mozilla/2.0 (compatible; NEWT ActiveX; Win32)',
  'Mozilla/3.0 (compatible; Indy Library)', 'Mozilla/4.0 (compatible; Advanced Email Extractor v2.xx)',
  'Mozilla/4.0 (compatible; Iplexx Spider/1.0 http://www.iplexx.at)',
  'Mozilla/4.0 (compatible; MSIE 5.0; Windows NT; DigExt; DTS Agent', 'Mozilla/4.0 efp@gmx.net',
  'Mozilla/5.0 (Version: xxxx Type:xx)', 'MVAClient', 'NASA Search 1.0', 'Nsauditor/1.x', 'PBrowse 1.4b',
  'PEval 1.4b', 'Poirot', 'Port Huron Labs', 'Production Bot 0116B', 'Production Bot 2016B',
  'Production Bot DOT 3016B', 'Program Shareware 1.0.2', 'PSurf15a 11', 'PSurf15a 51', 'PSurf15a VA',
  'psycheclone', 'RSurf15a 41', 'RSurf15a 51', 'RSurf15a 81', 'searchbot admin@google.com', 'sogou spider',
  'sohu agent', 'SSurf15a 11 ', 'TSurf15a 11', 'Under the Rainbow 2.2',
  'User-Agent: Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1)', 'WebVulnCrawl.blogspot.com/1.0 libwww-perl/5.803',
  'Wells Search II', 'WEP Search 00'
]

function literal (s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
}

// Apache's mod_log_config `combined`: "%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-agent}i\"" (quotes
// inside fields escaped as \"); nginx's `combined` is the same shape.
// 203.0.113.7 - - [23/Nov/2026:14:09:01 +0000] "GET / HTTP/1.1" 200 512 "-" "EmailSiphon"
const QUOTED = String.raw`"(?:[^"\\]|\\.)*"`
const REGEX: string[] = [
  String.raw`${accessHead(String.raw`apache\d*|httpd|nginx`)}(?:GET|POST) (?:[^"\\]|\\.)*" \d{3} \S+ ${QUOTED} "(?:${BOTS.map(literal).join('|')})"\s*$`
]

export const apacheBadbots: Preset = {
  name: 'apache-badbots',
  description: 'known e-mail harvester and spam-bot User-Agents in the access log (combined format)',
  modes: ['normal'],
  defaultMode: 'normal',
  fail2ban: ['apache-badbots'],
  forms: 'Apache or nginx access log in combined format, file or syslog',
  source: { file: '/var/log/apache2/access.log', journal: ['_SYSTEMD_UNIT=apache2.service', '_SYSTEMD_UNIT=httpd.service'] },
  filters (): PresetFilter[] {
    return [{ name: 'apache-badbots', regex: REGEX, retry: 1, retryperiod: '10m', ban: '2d' }]
  }
}

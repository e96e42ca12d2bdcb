/**
 * A value its owner already serialised as JSON, written as it is: a large value built for the
 * store (a counter log record of a flood's batch) is not scanned again by JSON.stringify.
 */
export class JsonText {
  readonly text: string
  constructor (text: string) { this.text = text }
}

// generated from each command's zod schema by `node scripts/cli-doc.ts --write`: do not edit
import type { ArgSchema } from './arg-check.ts'

export const ARG_SCHEMAS: Readonly<Record<string, ArgSchema>> = {
  status: {
    type: 'object',
    properties: {},
    additionalProperties: false
  },
  reload: {
    type: 'object',
    properties: {},
    additionalProperties: false
  },
  show: {
    type: 'object',
    properties: {
      ip: {
        type: 'string',
        maxLength: 64
      },
      limit: {
        type: 'integer',
        minimum: 1,
        maximum: 1000
      },
      offset: {
        type: 'integer',
        minimum: 0,
        maximum: 9007199254740991
      }
    },
    additionalProperties: false
  },
  ban: {
    type: 'object',
    properties: {
      ip: {
        type: 'string',
        maxLength: 64
      },
      for: {
        type: 'string',
        maxLength: 64
      },
      reason: {
        type: 'string',
        maxLength: 1024
      },
      share: {
        type: 'boolean'
      }
    },
    required: ['ip'],
    additionalProperties: false
  },
  unban: {
    type: 'object',
    properties: {
      ip: {
        type: 'string',
        maxLength: 64
      }
    },
    required: ['ip'],
    additionalProperties: false
  },
  flush: {
    type: 'object',
    properties: {
      ip: {
        type: 'string',
        maxLength: 64
      },
      limit: {
        type: 'string',
        maxLength: 256
      },
      patterns: {
        type: 'object',
        propertyNames: {
          type: 'string',
          maxLength: 64
        },
        additionalProperties: {}
      }
    },
    additionalProperties: false
  },
  trigger: {
    type: 'object',
    properties: {
      filter: {
        type: 'string',
        minLength: 1,
        maxLength: 256
      },
      values: {
        type: 'object',
        propertyNames: {
          type: 'string',
          maxLength: 64
        },
        additionalProperties: {
          type: 'string',
          maxLength: 1024
        }
      }
    },
    required: ['filter', 'values'],
    additionalProperties: false
  },
  feed: {
    type: 'object',
    properties: {
      format: {
        type: 'string',
        enum: ['txt', 'json', 'nft']
      }
    },
    additionalProperties: false
  },
  'peer-id': {
    type: 'object',
    properties: {},
    additionalProperties: false
  },
  'peer-list': {
    type: 'object',
    properties: {},
    additionalProperties: false
  },
  'peer-trust-add': {
    type: 'object',
    properties: {
      key: {
        type: 'string',
        minLength: 1,
        maxLength: 128
      },
      weight: {
        type: 'number',
        minimum: 0
      },
      name: {
        type: 'string',
        maxLength: 128
      },
      shadow: {
        type: 'boolean'
      },
      addr: {
        maxItems: 64,
        type: 'array',
        items: {
          type: 'string',
          maxLength: 256
        }
      }
    },
    required: ['key'],
    additionalProperties: false
  },
  'peer-trust-remove': {
    type: 'object',
    properties: {
      key: {
        type: 'string',
        minLength: 1,
        maxLength: 128
      }
    },
    required: ['key'],
    additionalProperties: false
  },
  'peer-revoke': {
    type: 'object',
    properties: {
      key: {
        type: 'string',
        minLength: 1,
        maxLength: 128
      }
    },
    required: ['key'],
    additionalProperties: false
  },
  ping: {
    type: 'object',
    properties: {},
    additionalProperties: false
  }
}

// Compiles the app's Sass (GOV.UK Frontend with Arial, no GDS Transport) and copies the
// GOV.UK Frontend script and assets into audit_app/static/dist. Run by `make assets`.
import { cpSync, mkdirSync, writeFileSync } from 'node:fs'
import * as sass from 'sass'

const out = 'audit_app/static/dist'
const govuk = 'node_modules/govuk-frontend/dist/govuk'
mkdirSync(`${out}/css`, { recursive: true })
mkdirSync(`${out}/js`, { recursive: true })

const result = sass.compile('audit_app/assets/main.scss', {
  loadPaths: ['node_modules'],
  style: 'compressed',
  quietDeps: true,
  silenceDeprecations: ['import']
})
writeFileSync(`${out}/css/main.css`, result.css)
cpSync(`${govuk}/govuk-frontend.min.js`, `${out}/js/govuk-frontend.min.js`)
cpSync(`${govuk}/assets/images`, `${out}/assets/images`, { recursive: true })
cpSync(`${govuk}/assets/manifest.json`, `${out}/assets/manifest.json`)
console.log(`assets built in ${out}`)

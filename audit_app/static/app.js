// Starts the GOV.UK Frontend components (character counts, error summaries, banners).
import { initAll } from './dist/js/govuk-frontend.min.js'

initAll()

// Starts the GOV.UK Frontend components, then the workbench's own small enhancements.
// Everything works without JavaScript: these only make long forms easier to use.
import { initAll } from './dist/js/govuk-frontend.min.js'

initAll()

// Follow-up questions appear only when the answer they depend on is chosen. Without
// JavaScript every question shows, and the server ignores answers to hidden ones.
function chosenValues (form, name) {
  return Array.from(form.querySelectorAll(`[name="${name}"]`))
    .filter((input) => input.checked || (input.type !== 'radio' && input.type !== 'checkbox' && input.value))
    .map((input) => input.value)
}

function updateConditionalQuestions (form) {
  form.querySelectorAll('[data-show-if]').forEach((question) => {
    const wanted = question.dataset.showValues.split(' ')
    const parent = form.querySelector(`[name="${question.dataset.showIf}"]`)?.closest('.app-question')
    const shown = !(parent && parent.hidden) &&
      chosenValues(form, question.dataset.showIf).some((value) => wanted.includes(value))
    question.hidden = !shown
  })
}

document.querySelectorAll('form').forEach((form) => {
  if (!form.querySelector('[data-show-if]')) return
  updateConditionalQuestions(form)
  form.addEventListener('change', () => updateConditionalQuestions(form))
})

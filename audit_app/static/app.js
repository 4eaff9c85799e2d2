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

// Return forms save a draft by themselves a few seconds after the auditor stops typing, and the
// browser warns before leaving a page whose changes are not yet saved. Without JavaScript the
// "Save and come back later" button does the same job.
const AUTOSAVE_DELAY_MS = 3000

function enableAutosave (form) {
  const status = form.querySelector('.app-autosave-status')
  let dirty = false
  let timer = null
  let stopped = false
  let sending = null // the autosave on its way to the server, if any

  function later () {
    clearTimeout(timer)
    timer = setTimeout(save, AUTOSAVE_DELAY_MS)
  }

  async function save () {
    if (!dirty || stopped) return
    if (sending) return later() // one autosave at a time; this one waits its turn
    dirty = false
    sending = send()
    try { await sending } finally { sending = null }
  }

  async function send () {
    try {
      const response = await fetch(form.dataset.autosaveUrl, { method: 'POST', body: new FormData(form), credentials: 'same-origin' })
      const result = await response.json()
      document.dispatchEvent(new Event('app:server-contact')) // the server's idle clock started again
      if (result.saved) {
        // The saved draft is now what this form started from: a later conflict is merged against it
        form.querySelector('[name="version"]').value = result.version
        const base = form.querySelector('[name="base"]')
        if (base) base.value = result.base
      } else {
        dirty = true
        stopped = response.status === 409 // a conflict is settled by saving the form, never by autosave
      }
      if (status) status.textContent = result.message
    } catch (error) {
      dirty = true
      if (status) status.textContent = 'Not saved: the connection was lost. Your answers are still on this page.'
    }
  }

  form.addEventListener('input', () => { dirty = true; later() })
  form.addEventListener('change', () => { dirty = true; later() })
  form.addEventListener('submit', (event) => {
    clearTimeout(timer)
    if (sending) {
      // An autosave is on its way and will change the return's version: send the form once it is back
      // with the new version, or the server would take this save for someone else's and refuse it.
      event.preventDefault()
      const submitter = event.submitter
      sending.then(() => setTimeout(() => form.requestSubmit(submitter)))
      return
    }
    dirty = false
  })
  window.addEventListener('beforeunload', (event) => {
    if (dirty) {
      event.preventDefault()
      event.returnValue = ''
    }
  })
}

document.querySelectorAll('form[data-autosave-url]').forEach(enableAutosave)

// Warn shortly before the idle time-out and offer to stay signed in. Every request the page
// makes to the server (a keep-alive or an autosave) starts the server's idle clock again.
function watchIdleTimeout (banner) {
  const idleMs = Number(banner.dataset.idleSeconds) * 1000
  const warnMs = Number(banner.dataset.warnSeconds) * 1000
  let timer

  function restart () {
    banner.hidden = true
    clearTimeout(timer)
    timer = setTimeout(() => { banner.hidden = false; banner.querySelector('button').focus() }, idleMs - warnMs)
  }

  banner.querySelector('button').addEventListener('click', async () => {
    const response = await fetch(banner.dataset.keepAliveUrl, {
      method: 'POST', credentials: 'same-origin', headers: { 'X-CSRFToken': banner.dataset.csrf }
    })
    if (response.ok && (response.headers.get('Content-Type') || '').startsWith('application/json')) restart()
    else window.location.reload() // already signed out: the page shows the sign-in form
  })
  document.addEventListener('app:server-contact', restart)
  restart()
}

document.querySelectorAll('.app-timeout-warning').forEach(watchIdleTimeout)

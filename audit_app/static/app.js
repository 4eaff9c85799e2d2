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
    if (shown && question.hidden && question.classList.contains('app-concern-prompt')) {
      question.setAttribute('role', 'alert') // appearing as the answer is chosen: read out at once
    }
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

// Warn before the session ends, whether from the idle time-out or the absolute limit, and offer to stay
// signed in before the idle one. Every request the page makes to the server (a keep-alive or an autosave)
// starts the server's idle clock again, and so does typing in any form: a keep-alive goes at most every
// so often while someone types. The warning counts down in whole minutes through a polite live region (so
// it is announced once a minute, never every second). It takes the focus only when nobody is typing in a
// field, or when the session is about to end; after "Stay signed in" the focus goes back where it was.
function typingIn (element) {
  if (!element || element === document.body) return false
  if (element.isContentEditable || element.tagName === 'TEXTAREA' || element.tagName === 'SELECT') return true
  return element.tagName === 'INPUT' && !['button', 'submit', 'reset', 'checkbox', 'radio', 'file', 'hidden', 'image'].includes(element.type)
}

function minutesLeft (ms) {
  const minutes = Math.ceil(ms / 60000)
  return minutes === 1 ? '1 minute' : `${minutes} minutes`
}

function watchIdleTimeout (banner) {
  const idleMs = Number(banner.dataset.idleSeconds) * 1000
  const warnMs = Number(banner.dataset.warnSeconds) * 1000
  const absoluteEnd = Date.now() + Number(banner.dataset.absoluteSeconds) * 1000
  const urgentMs = Math.min(60000, warnMs / 2) // "about to end": the warning may take the focus from a field
  const typingEveryMs = Math.max(1000, Math.min(60000, (idleMs - warnMs) / 2)) // keep-alives while typing
  const left = banner.querySelector('.app-timeout-left')
  const button = banner.querySelector('.app-stay-signed-in')
  let lastContact = Date.now()
  let sending = false
  let focusedBefore = null // where the person was when the warning took the focus
  let tookFocus = false

  function remaining () {
    const idle = lastContact + idleMs - Date.now()
    const absolute = absoluteEnd - Date.now()
    return absolute <= idle ? { ms: absolute, absolute: true } : { ms: idle, absolute: false }
  }

  function say (text) {
    if (left.textContent !== text) left.textContent = text // only a change is announced
  }

  function takeFocus (why) {
    if (tookFocus) return
    tookFocus = true
    if (!banner.contains(document.activeElement)) focusedBefore = document.activeElement
    const target = why.absolute ? banner : button
    target.focus()
  }

  function tick () {
    const now = remaining()
    if (now.ms > warnMs) {
      banner.hidden = true
      tookFocus = false
      return
    }
    banner.hidden = false
    banner.querySelector('.app-timeout-idle').hidden = now.absolute
    banner.querySelector('.app-timeout-absolute').hidden = !now.absolute
    button.hidden = now.absolute // staying signed in cannot pass the absolute limit
    if (now.ms <= 0) {
      say('Your session has ended. Sign in again to carry on.')
      return
    }
    say(`You will be signed out in ${minutesLeft(now.ms)}.`)
    if (!typingIn(document.activeElement) || now.ms <= urgentMs) takeFocus(now)
  }

  async function keepAlive () {
    sending = true
    try {
      const response = await fetch(banner.dataset.keepAliveUrl, {
        method: 'POST', credentials: 'same-origin', headers: { 'X-CSRFToken': banner.dataset.csrf }
      })
      if (response.ok && (response.headers.get('Content-Type') || '').startsWith('application/json')) {
        lastContact = Date.now()
        return true
      }
      return false
    } catch (error) {
      return false
    } finally {
      sending = false
    }
  }

  banner.addEventListener('focusin', (event) => {
    const from = event.relatedTarget
    if (from && !banner.contains(from)) focusedBefore = from // Tab or a click into the warning: remember where from
  })
  button.addEventListener('click', async () => {
    if (await keepAlive()) {
      tick()
      let back = focusedBefore && focusedBefore.isConnected && focusedBefore !== document.body ? focusedBefore : null
      if (!back) {
        back = document.getElementById('main-content')
        back.setAttribute('tabindex', '-1') // the start of the page's own content, never the footer
      }
      back.focus()
      focusedBefore = null
    } else {
      window.location.reload() // already signed out: the page shows the sign-in form
    }
  })
  document.addEventListener('input', (event) => {
    if (banner.contains(event.target) || sending || remaining().ms <= 0) return
    if (Date.now() - lastContact >= typingEveryMs) keepAlive().then(tick)
  })
  document.addEventListener('app:server-contact', () => { lastContact = Date.now(); tick() })
  window.setInterval(tick, 1000) // the text changes (and is announced) only when the minutes do
  tick()
}

document.querySelectorAll('.app-timeout-warning').forEach(watchIdleTimeout)

// After an action on a long page the server may send the browser back to an anchor (#excerpt-…) whose element
// holds the success message. The browser's jump to the anchor, once the page has loaded, moves the focus to
// the page itself and takes it from the message, which GOV.UK Frontend had focused so that a screen reader
// says what was done. Give the focus back, leaving the page where the jump put it, unless the person has
// already moved it (a click or Tab while a slow page was loading).
function focusMessageAtAnchor () {
  const id = window.location.hash.slice(1) // the app's anchors are plain ASCII ids: nothing to decode
  const target = id && document.getElementById(id)
  const message = target && target.querySelector('.govuk-notification-banner[role="alert"]')
  const moved = document.activeElement && document.activeElement !== document.body && document.activeElement !== message
  if (!message || moved) return
  if (!message.hasAttribute('tabindex')) {
    message.setAttribute('tabindex', '-1') // focusable for now: out of the Tab order again once left, as GOV.UK Frontend does
    message.addEventListener('blur', () => message.removeAttribute('tabindex'), { once: true })
  }
  message.focus({ preventScroll: true })
}

if (document.readyState === 'complete') setTimeout(focusMessageAtAnchor)
else window.addEventListener('load', () => setTimeout(focusMessageAtAnchor))

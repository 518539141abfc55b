// Copy buttons: rendered hidden, shown only when this script runs, so without JavaScript the value
// stays in a read-only field to select by hand.
for (const button of document.querySelectorAll('button[data-copy]')) {
  button.hidden = false
  button.addEventListener('click', async () => {
    const source = document.getElementById(button.dataset.copy)
    const text = source.value ?? source.textContent
    try {
      await navigator.clipboard.writeText(text)
    } catch {
      source.select?.()
      document.execCommand('copy')
    }
    const label = button.textContent
    button.textContent = 'Copied'
    setTimeout(() => (button.textContent = label), 1500)
  })
}

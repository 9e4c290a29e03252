// Sekisho console: small keyboard conveniences; every page works without it.
document.addEventListener("keydown", (e) => {
  if (e.key === "Escape") {
    const menu = document.getElementById("identity-menu");
    if (menu && menu.open) { menu.open = false; menu.querySelector("summary").focus(); }
  }
});
window.addEventListener("DOMContentLoaded", () => {
  const detail = document.getElementById("edge");
  if (detail && location.hash === "#edge") detail.focus();
});

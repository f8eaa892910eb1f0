// Progressive enhancement only: without this file every page still works (the phone menu
// simply stays open). Loaded in <head> without defer so the "js" class is set before paint.
document.documentElement.classList.add("js");

document.addEventListener("click", (event) => {
  const toggle = event.target.closest("[data-nav-toggle]");
  if (!toggle) return;
  const nav = document.getElementById(toggle.getAttribute("aria-controls"));
  const open = toggle.getAttribute("aria-expanded") !== "true";
  toggle.setAttribute("aria-expanded", String(open));
  nav.classList.toggle("is-open", open);
});

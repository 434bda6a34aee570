"use strict";
// Exercises on the hub's dashboard: start one by name, stop it; while it runs a striped
// OEFENING banner stays at the top, compose asks "real or exercise?" for every bulletin,
// and help requests that came in during it are marked.

window.NRExercise = (() => {
  const { setText, api } = NR;
  const t = (key, values) => NRDash.t(key, values);
  const byId = (id) => document.getElementById(id);

  function current() {
    return NRDash.state.view ? NRDash.state.view.exercise : null;
  }

  function render() {
    const ex = current();
    const banner = byId("exercise-banner");
    banner.hidden = !ex;
    document.body.classList.toggle("exercising", Boolean(ex));
    if (ex) {
      const ago = NRDash.ago(ex.started_s_ago + NRDash.elapsed()).replace(/ geleden| ago/, "");
      banner.textContent = t("exercise_banner", { name: ex.name, ago }) + (ex.started_by ? t("exercise_by", { by: ex.started_by }) : "");
    }
    const loggedIn = Boolean(NR.session.user);
    byId("exercise-form").hidden = !loggedIn;
    byId("exercise-start").hidden = Boolean(ex);
    byId("exercise-form").elements.name.closest("label").hidden = Boolean(ex);
    byId("exercise-stop").hidden = !ex;
    setText("exercise-state", ex ? "" : t("exercise_none"));
    const status = byId("compose").elements.status;
    byId("status-row").hidden = !ex && !status.value;
    status.required = Boolean(ex);
  }

  /** Help requests that arrived while the exercise ran get an OEFENING mark. */
  function markHelp() {
    const ex = current();
    for (const li of document.querySelectorAll("#help-open li[data-help-id], #help-closed li[data-help-id]")) {
      const age = Number(li.dataset.ageS);
      const during = ex && Number.isFinite(age) && age <= ex.started_s_ago;
      let mark = li.querySelector(".exercise-mark");
      if (during && !mark) {
        mark = document.createElement("span");
        mark.className = "badge exercise-mark";
        mark.textContent = t("mark.exercise");
        li.querySelector(".help-line").prepend(mark, " ");
      } else if (!during && mark) {
        mark.remove();
      }
    }
  }

  async function act(body) {
    setText("exercise-error", "");
    try {
      await api("/web/exercise", { body });
      await NRDash.refresh();
    } catch (err) {
      setText("exercise-error", err.message);
    }
  }

  function setup() {
    byId("exercise-form").addEventListener("submit", (e) => {
      e.preventDefault();
      act({ action: "start", name: byId("exercise-form").elements.name.value }).then(() => byId("exercise-form").reset());
    });
    byId("exercise-stop").addEventListener("click", () => act({ action: "stop" }));
    new MutationObserver(markHelp).observe(byId("help-panel"), { childList: true, subtree: true });
  }

  return { setup, render, markHelp, current };
})();

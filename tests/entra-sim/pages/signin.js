// SPDX-License-Identifier: GPL-3.0-or-later
// entra-sim's sign-in pages are plain HTML forms that post to the server; this script only does what a form cannot:
// the secondary buttons (Back, No, Cancel and the switch links) record their choice in the hidden `sim_action`
// field and submit the form, and a form_post answer submits itself. The input fields are untouched: a password
// manager or the Stint extension types into them and the ordinary input/change events fire.
'use strict';

document.addEventListener('click', (event) => {
    const control = event.target.closest('[data-sim-action]');
    if (!control)
        return;
    const form = document.getElementById('simForm');
    if (!form)
        return;
    event.preventDefault();
    form.elements.sim_action.value = control.dataset.simAction;
    form.submit();
});

document.addEventListener('DOMContentLoaded', () => {
    const autopost = document.getElementById('simAutoPost');
    if (autopost && autopost.dataset.simAutopost === 'true')
        autopost.submit();
});

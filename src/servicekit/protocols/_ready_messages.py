"""Ready-made messages in Spanish and English for every due action of the ready-made protocols.

Each is written against the failure it prevents: a customer who does not know
whether anyone read the request, a follow-up that does not say when the next
one comes, an escalation after which nobody knows who owns the ticket, a
promise forgotten, a ticket closed without a word, a crisis the customer learns
of from someone else. Customer messages state every time in the customer's
zone and language; team messages say what to do and by when.
"""

from __future__ import annotations

import functools

from servicekit.protocols._templates import MessageTemplate, TemplateSet

__all__ = ["ready_made_templates"]

_HELLO = {
    "en": "{{ 'Hello ' ~ customer_name if customer_name else 'Hello' }},\n\n",
    "es": "{{ 'Hola, ' ~ customer_name if customer_name else 'Hola' }}:\n\n",
}
_SIGN = {
    "en": "\n\nThe support team",
    "es": "\n\nEl equipo de atención al cliente",
}

# The customer never wonders whether anyone has the request, nor when they will hear from us.
_FIRST_RESPONSE = {
    "en": (
        "We have your request {{ ticket_id }}",
        "We have received your request {{ ticket_id }} and it is with our team"
        "{{ ' (' ~ tier ~ ')' if tier else '' }}, priority {{ priority }}.\n"
        "{% if resolution_due and resolution_due > now %}\n"
        "We aim to solve it by {{ resolution_due }}"
        "{{ ', that is within ' if resolution_target else '' }}"
        "{{ resolution_target | duration }}{{ ' of working time' if resolution_target else '' }}.\n"
        "{% endif %}\n"
        "{% if next_contact_at %}\n"
        "You will hear from us again by {{ next_contact_at }}, even if we have nothing new.\n"
        "{% endif %}\n"
        "There is no need to write again to keep your place: reply to this message if you "
        "have anything to add.",
    ),
    "es": (
        "Hemos recibido su solicitud {{ ticket_id }}",
        "Hemos recibido su solicitud {{ ticket_id }} y ya está en manos de nuestro equipo"
        "{{ ' (' ~ tier ~ ')' if tier else '' }}, con prioridad {{ priority }}.\n"
        "{% if resolution_due and resolution_due > now %}\n"
        "Nuestro objetivo es resolverla antes del {{ resolution_due }}"
        "{{ ', es decir, en ' if resolution_target else '' }}"
        "{{ resolution_target | duration }}{{ ' laborables' if resolution_target else '' }}.\n"
        "{% endif %}\n"
        "{% if next_contact_at %}\n"
        "Volverá a saber de nosotros antes del {{ next_contact_at }}, aunque no haya novedades.\n"
        "{% endif %}\n"
        "No necesita escribir de nuevo para conservar su turno: responda a este mensaje si "
        "quiere añadir algo.",
    ),
}

# A follow-up that says where things stand and when the next one comes.
_FOLLOW_UP = {
    "en": (
        "Update on your request {{ ticket_id }}",
        "This is an update on your request {{ ticket_id }}: it is {{ status }}"
        "{{ ', with ' ~ agent if agent else '' }}.\n"
        "{% if resolution_due and resolution_due > now %}\n"
        "We still aim to solve it by {{ resolution_due }}.\n"
        "{% endif %}\n"
        "{% if next_contact_at %}\n"
        "Our next update will reach you by {{ next_contact_at }}.\n"
        "{% elif attempts_left == 0 %}\n"
        "This is our last reminder; reply whenever you are ready and we will pick it up.\n"
        "{% endif %}\n"
        "{% if terminal_action %}\n"
        "If we do not hear from you, we will mark the request as {{ terminal_action }}; "
        "a reply reopens it.\n"
        "{% endif %}",
    ),
    "es": (
        "Novedades de su solicitud {{ ticket_id }}",
        "Le escribimos para contarle cómo va su solicitud {{ ticket_id }}: está en estado "
        "{{ status }}{{ ', a cargo de ' ~ agent if agent else '' }}.\n"
        "{% if resolution_due and resolution_due > now %}\n"
        "Seguimos trabajando para resolverla antes del {{ resolution_due }}.\n"
        "{% endif %}\n"
        "{% if next_contact_at %}\n"
        "Le enviaremos la próxima actualización antes del {{ next_contact_at }}.\n"
        "{% elif attempts_left == 0 %}\n"
        "Este es nuestro último recordatorio; responda cuando pueda y retomaremos el caso.\n"
        "{% endif %}\n"
        "{% if terminal_action %}\n"
        "Si no recibimos respuesta, marcaremos la solicitud como {{ terminal_action }}; "
        "basta con responder para reabrirla.\n"
        "{% endif %}",
    ),
}

# An escalation that tells the customer who owns the ticket now.
_HANDOVER = {
    "en": (
        "Your request {{ ticket_id }} is now with {{ new_owner or notified }}",
        "To solve your request {{ ticket_id }} sooner, we have handed it to our "
        "{{ new_owner or notified }} team, who own it from now on.\n"
        "{% if resolution_due and resolution_due > now %}\n"
        "They are working to solve it by {{ resolution_due }}.\n"
        "{% endif %}\n"
        "{% if next_contact_at %}\n"
        "You will hear from them by {{ next_contact_at }}.\n"
        "{% endif %}\n"
        "You do not need to explain anything again: they have the whole history.",
    ),
    "es": (
        "Su solicitud {{ ticket_id }} pasa al equipo {{ new_owner or notified }}",
        "Para resolver antes su solicitud {{ ticket_id }}, la hemos pasado a nuestro equipo "
        "{{ new_owner or notified }}, que a partir de ahora es el responsable.\n"
        "{% if resolution_due and resolution_due > now %}\n"
        "Están trabajando para resolverla antes del {{ resolution_due }}.\n"
        "{% endif %}\n"
        "{% if next_contact_at %}\n"
        "Tendrá noticias suyas antes del {{ next_contact_at }}.\n"
        "{% endif %}\n"
        "No tiene que volver a explicar nada: el equipo tiene todo el historial.",
    ),
}

# The ticket is not closed behind the customer's back.
_TERMINAL = {
    "en": (
        "We will mark your request {{ ticket_id }} as {{ terminal_action or 'done' }}",
        "We have written to you about request {{ ticket_id }} without hearing back, so we "
        "are marking it as {{ terminal_action or 'done' }}.\n"
        "If it is not settled, just reply: the request reopens with its whole history.",
    ),
    "es": (
        "Vamos a marcar su solicitud {{ ticket_id }} como {{ terminal_action or 'terminada' }}",
        "Le hemos escrito sobre la solicitud {{ ticket_id }} sin recibir respuesta, así que la "
        "marcamos como {{ terminal_action or 'terminada' }}.\n"
        "Si el asunto no está resuelto, responda a este mensaje: la solicitud se reabre con "
        "todo su historial.",
    ),
}

# A timed change of status (an automatic closing) the customer is told about.
_TRANSITION = {
    "en": (
        "Your request {{ ticket_id }} is now {{ status }}",
        "Your request {{ ticket_id }} is now {{ status }}. Thank you for your patience.\n"
        "If something is still wrong, reply to this message and we will pick it up again.",
    ),
    "es": (
        "Su solicitud {{ ticket_id }} está ahora en estado {{ status }}",
        "Su solicitud {{ ticket_id }} está ahora en estado {{ status }}. Gracias por su "
        "paciencia.\nSi algo sigue sin funcionar, responda a este mensaje y lo retomaremos.",
    ),
}

# In a crisis, the customer hears it from us first, and hears when we will speak again (a
# message with no next update, such as the solve, does not say the team is still on it).
_BROADCAST = {
    "en": (
        "{{ 'Incident ' ~ parent_incident ~ ': ' if parent_incident else '' }}"
        "update on {{ ticket_id }}",
        "{% if next_contact_at %}We know about{% else %}This is about{% endif %} the "
        "incident affecting your service"
        "{{ ' (' ~ parent_incident ~ ')' if parent_incident else '' }}"
        "{% if next_contact_at %} and our team is working on it now{% endif %}; "
        "your report {{ ticket_id }} is linked to it, so you do not need "
        "to report it again.\n"
        "{% if update %}\n"
        "\n{{ update }}\n"
        "{% endif %}\n"
        "{% if next_contact_at %}\n"
        "Next update: by {{ next_contact_at }}, whether or not it is solved by then.\n"
        "{% endif %}",
    ),
    "es": (
        "{{ 'Incidente ' ~ parent_incident ~ ': ' if parent_incident else '' }}"
        "actualización de {{ ticket_id }}",
        "{% if next_contact_at %}Sabemos que hay{% else %}Le escribimos por{% endif %} un "
        "incidente que afecta a su servicio"
        "{{ ' (' ~ parent_incident ~ ')' if parent_incident else '' }}"
        "{% if next_contact_at %} y nuestro equipo ya está trabajando en él{% endif %}; "
        "su aviso {{ ticket_id }} está vinculado, así que no necesita "
        "volver a reportarlo.\n"
        "{% if update %}\n"
        "\n{{ update }}\n"
        "{% endif %}\n"
        "{% if next_contact_at %}\n"
        "Próxima actualización: antes del {{ next_contact_at }}, esté resuelto o no.\n"
        "{% endif %}",
    ),
}

# Closing the loop: the customer is asked, once, how it went.
_SURVEY = {
    "en": (
        "How did we do with {{ ticket_id }}?",
        "Your request {{ ticket_id }} is solved. How satisfied are you with how we handled "
        "it? Reply with a number from 1 (not at all) to 5 (very).\n"
        "We read every answer, and a low score reaches a team lead.",
    ),
    "es": (
        "¿Cómo lo hicimos con {{ ticket_id }}?",
        "Su solicitud {{ ticket_id }} está resuelta. ¿Qué tan satisfecho está con la atención "
        "recibida? Responda con un número del 1 (nada) al 5 (mucho).\n"
        "Leemos todas las respuestas, y una puntuación baja llega a un responsable del equipo.",
    ),
}

# A bad score is not filed away: the request reopens and the customer is told who calls.
_SURVEY_REOPEN = {
    "en": (
        "We have reopened your request {{ ticket_id }}",
        "Thank you for telling us we fell short. We have reopened request {{ ticket_id }}"
        "{{ ' and ' ~ agent ~ ' will contact you' if agent else ' and a team lead will contact "
        "you' }}{{ ' by ' if next_contact_at else '' }}{{ next_contact_at }}.",
    ),
    "es": (
        "Hemos reabierto su solicitud {{ ticket_id }}",
        "Gracias por decirnos que no estuvimos a la altura. Hemos reabierto la solicitud "
        "{{ ticket_id }}{{ ' y ' ~ agent ~ ' se pondrá en contacto con usted' if agent else "
        "' y un responsable del equipo se pondrá en contacto con usted' }}"
        "{{ ' antes del ' if next_contact_at else '' }}{{ next_contact_at }}.",
    ),
}

# Team messages: an escalation nobody acts on, a promise forgotten.
_NOTIFY = {
    "en": (
        "[{{ priority }}] {{ ticket_id }} needs you ({{ protocol }})",
        "Ticket {{ ticket_id }} ({{ priority }}, {{ status }}) is escalated to "
        "{{ notified or 'you' }}.\n"
        "{% if resolution_due %}\n"
        "Resolution due: {{ resolution_due }}"
        "{{ ' (already late)' if resolution_due <= now else '' }}.\n"
        "{% endif %}\n"
        "Owner now: {{ agent or tier or 'unassigned' }}. Acknowledge it so the chain stops, "
        "and tell the customer who has it.",
    ),
    "es": (
        "[{{ priority }}] {{ ticket_id }} requiere su atención ({{ protocol }})",
        "El ticket {{ ticket_id }} ({{ priority }}, {{ status }}) se escala a "
        "{{ notified or 'usted' }}.\n"
        "{% if resolution_due %}\n"
        "Resolución comprometida: {{ resolution_due }}"
        "{{ ' (ya vencida)' if resolution_due <= now else '' }}.\n"
        "{% endif %}\n"
        "Responsable actual: {{ agent or tier or 'sin asignar' }}. Confirme la recepción para "
        "detener la cadena y diga al cliente quién lo lleva.",
    ),
}
_PROMISE_REMINDER = {
    "en": (
        "Promise due {{ promise_due | time }}: {{ ticket_id }}",
        "You promised the customer of {{ ticket_id }}: “{{ promise or 'an answer' }}”, "
        "by {{ promise_due }} (their time{{ ', by ' ~ channel if channel else '' }}).\n"
        "Keep it now, or tell them before then when you will.",
    ),
    "es": (
        "Compromiso a las {{ promise_due | time }}: {{ ticket_id }}",
        "Prometió al cliente de {{ ticket_id }}: «{{ promise or 'una respuesta' }}», antes del "
        "{{ promise_due }} (hora del cliente{{ ', por ' ~ channel if channel else '' }}).\n"
        "Cúmplalo ahora, o avise antes de esa hora de cuándo lo hará.",
    ),
}
_PROMISE_BROKEN = {
    "en": (
        "Promise missed: {{ ticket_id }}",
        "The promise to the customer of {{ ticket_id }} (“{{ promise or 'an answer' }}”) was "
        "due {{ promise_due }} and has not been kept.\n"
        "Contact them now: apologise, say what happened and give a new time you can keep.",
    ),
    "es": (
        "Compromiso incumplido: {{ ticket_id }}",
        "El compromiso con el cliente de {{ ticket_id }} («{{ promise or 'una respuesta' }}») "
        "vencía el {{ promise_due }} y no se ha cumplido.\n"
        "Contacte al cliente ahora: discúlpese, explique lo ocurrido y dé una nueva hora que "
        "pueda cumplir.",
    ),
}

# Major incidents: customers left without their promised update, corrective actions that slip.
_UPDATE_OVERDUE = {
    "en": (
        "Update overdue: {{ ticket_id }}",
        "{{ detail or 'Customers' }} linked to {{ ticket_id }} were promised an update by "
        "{{ due_at }} and have not had it. Post an update now, even if nothing is fixed: say "
        "what is known and when the next one comes.",
    ),
    "es": (
        "Actualización vencida: {{ ticket_id }}",
        "A {{ detail or 'clientes' }} vinculados a {{ ticket_id }} se les prometió una "
        "actualización antes del {{ due_at }} y no la han recibido. Publique una ahora, aunque "
        "no esté resuelto: diga lo que se sabe y cuándo llegará la siguiente.",
    ),
}
_CORRECTIVE_OVERDUE = {
    "en": (
        "Corrective action late: {{ ticket_id }}",
        "The corrective action owned by {{ detail or 'its owner' }} after {{ ticket_id }} was due "
        "{{ due_at }}. Finish it, or agree a new date with whoever reviews the incident.",
    ),
    "es": (
        "Acción correctiva atrasada: {{ ticket_id }}",
        "La acción correctiva a cargo de {{ detail or 'su responsable' }} tras {{ ticket_id }} "
        "vencía el "
        "{{ due_at }}. Termínela, o acuerde una nueva fecha con quien revisa el incidente.",
    ),
}
_CORRECTIVE_ESCALATED = {
    "en": (
        "Corrective action escalated: {{ ticket_id }}",
        "A corrective action after {{ ticket_id }} is past its deadline and its grace period; "
        "it is now with {{ detail or 'management' }} to unblock, so the failure does not happen "
        "again.",
    ),
    "es": (
        "Acción correctiva escalada: {{ ticket_id }}",
        "Una acción correctiva tras {{ ticket_id }} superó su plazo y su margen; ahora está en "
        "manos de {{ detail or 'la dirección' }} para desbloquearla, de modo que el fallo no se "
        "repita.",
    ),
}

# Short forms: an SMS has no subject and little room; a call is a script for the agent.
_SMS = {
    "first_response": {
        "en": "{{ ticket_id }}: we have your request."
        "{{ ' Next update by ' if next_contact_at else '' }}{{ next_contact_at }}",
        "es": "{{ ticket_id }}: recibimos su solicitud."
        "{{ ' Próxima actualización antes del ' if next_contact_at else '' }}{{ next_contact_at }}",
    },
    "follow_up": {
        "en": "{{ ticket_id }} is {{ status }}."
        "{{ ' Next update by ' if next_contact_at else '' }}{{ next_contact_at }}",
        "es": "{{ ticket_id }} está en estado {{ status }}."
        "{{ ' Próxima actualización antes del ' if next_contact_at else '' }}{{ next_contact_at }}",
    },
}
_CALL = {
    "en": "Call script for {{ ticket_id }} ({{ priority }}, {{ status }}), attempt "
    "{{ attempt or 1 }}"
    "{{ '; attempts left after it: ' ~ attempts_left if attempts_left is number else '' }}.\n"
    "Say who you are and why you call; say what has been done and what happens next"
    "{{ ', and that we aim to solve it by ' if resolution_due else '' }}{{ resolution_due }}.\n"
    "{% if next_contact_at %}\n"
    "Tell them the next contact is by {{ next_contact_at }}.\n"
    "{% endif %}\n"
    "No answer? Leave a short message and record the attempt.",
    "es": "Guion de llamada para {{ ticket_id }} ({{ priority }}, {{ status }}), intento "
    "{{ attempt or 1 }}"
    "{{ '; quedan después: ' ~ attempts_left if attempts_left is number else '' }}.\n"
    "Preséntese y diga por qué llama; explique qué se ha hecho y qué viene después"
    "{{ ', y que el objetivo es resolverlo antes del ' if resolution_due else '' }}"
    "{{ resolution_due }}.\n"
    "{% if next_contact_at %}\n"
    "Indique que el próximo contacto será antes del {{ next_contact_at }}.\n"
    "{% endif %}\n"
    "¿No contesta? Deje un mensaje breve y registre el intento.",
}

_CUSTOMER = {
    "first_response": _FIRST_RESPONSE,
    "follow_up": _FOLLOW_UP,
    "handover": _HANDOVER,
    "terminal": _TERMINAL,
    "transition": _TRANSITION,
    "broadcast_update": _BROADCAST,
    "survey": _SURVEY,
    "survey_reopen": _SURVEY_REOPEN,
}
_TEAM = {
    "notify": _NOTIFY,
    "promise_reminder": _PROMISE_REMINDER,
    "promise_broken": _PROMISE_BROKEN,
    "update_overdue": _UPDATE_OVERDUE,
    "corrective_overdue": _CORRECTIVE_OVERDUE,
    "corrective_escalated": _CORRECTIVE_ESCALATED,
}


def _all() -> list[MessageTemplate]:
    out = []
    for language in ("en", "es"):
        for name, texts in _CUSTOMER.items():
            subject, body = texts[language]
            out.append(
                MessageTemplate(
                    name=name,
                    language=language,
                    subject=subject,
                    body=_HELLO[language] + body + _SIGN[language],
                )
            )
        for name, texts in _TEAM.items():
            subject, body = texts[language]
            out.append(
                MessageTemplate(
                    name=name, language=language, subject=subject, body=body, audience="team"
                )
            )
        for name, bodies in _SMS.items():
            out.append(
                MessageTemplate(name=name, language=language, channel="sms", body=bodies[language])
            )
            out.append(
                MessageTemplate(
                    name=name,
                    language=language,
                    channel="call",
                    body=_CALL[language],
                    audience="team",
                )
            )
    return out


@functools.cache
def ready_made_templates(default_timezone: str = "UTC") -> TemplateSet:
    """Spanish and English messages for every due action of the ready-made protocols.

    Names: ``first_response``, ``follow_up`` (each with ``sms`` and ``call``
    forms), ``handover``, ``terminal``, ``transition``, ``broadcast_update``,
    ``survey`` and ``survey_reopen`` for the customer; ``notify``, ``promise_reminder``,
    ``promise_broken``, ``update_overdue``, ``corrective_overdue`` and
    ``corrective_escalated`` for the team. Other languages fall back to English;
    customers whose ticket names no zone read times in ``default_timezone``.

    >>> sorted(ready_made_templates().languages)
    ['en', 'es']
    """
    return TemplateSet(templates=_all(), fallback=("en",), default_timezone=default_timezone)

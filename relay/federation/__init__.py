"""Federation over MQTT (issue 13): region hubs and the national node share signed
messages through a broker that is never trusted.

* :mod:`.config`: the ``[federation]`` table, validated once.
* :mod:`.topics`: topic names and what may travel on each (pure).
* :mod:`.intake`: checking what arrives (pure): topic, region, kind, duplicates.
* :mod:`.summary`: the hub's countersigned summaries of its points (pure).
* :mod:`.link`: the one place that talks to the broker (aiomqtt), with reconnects.
* :mod:`.hub` and :mod:`.national`: what a region hub and the national node do with it.

Layer: above the store (it keeps its outbox there), below the daemon that runs it.
"""

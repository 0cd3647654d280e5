"""The swap centre (byttecentral): companies' offers and needs, their conversations and exchanges with the tonnes
and CO2e saved, and the green-transition advice cases staff follow."""

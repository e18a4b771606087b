"""camnang: one Markdown guide per digital service, rendered to a site,
printables and radio scripts for Vietnam's community digital technology teams.

Data flows one way: load -> validate -> model -> render -> write.
"""

__version__ = "0.1.0"

"""Printables: every guide as an A4 leaflet and an A3 poster (and, through
the same machinery, any other per-guide file: see ``kinds``).

Modules, one job each:

- ``kinds``     what printables exist (``Kind``) and what a render gets
                (``PrintContext``: settings and, for team packs, a team);
- ``leaflet``, ``poster``  the two renderers: guide -> HTML (templates in
                ``posters/``) -> PDF fitted to its page budget;
- ``fitting``   choosing the variant (type size, content) that fits;
- ``fitmemo``   the variant each document fitted, kept in the build cache
                for other processes (checked, never trusted blindly);
- ``templates`` the Jinja2 environment of ``posters/``, template errors;
- ``fonts``     the print font, checked to cover Vietnamese;
- ``qr``        QR codes as inline SVG of a given printed size;
- ``pdf``       WeasyPrint, with fonts and stylesheets prepared once per process;
- ``cache``     content-hash keys and the cache folder;
- ``pipeline``  building every printable of a library, in worker processes.
"""

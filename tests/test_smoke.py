"""The two reference cooperatives answer on their own hosts."""


def test_home_pages_show_each_cooperative(zw_client, baltyk_client):
    zw = zw_client.get("/").get_data(as_text=True)
    baltyk = baltyk_client.get("/").get_data(as_text=True)
    assert "Zielone Wzgórza" in zw and "Bałtyk" not in zw
    assert "Bałtyk" in baltyk and "Zielone Wzgórza" not in baltyk


def test_the_menu_puts_what_residents_come_for_first_and_the_password_last(app, baltyk):
    import re

    from tests.factories import make_household
    from tests.helpers import client_for

    home = make_household(baltyk, units=1)
    client = client_for(app, "baltyk.localhost")
    client.login(home.identifier, home.password)
    page = client.get("/").get_data(as_text=True)
    nav = page[page.index('class="main-nav"'):page.index("</nav>")]
    labels = re.findall(r'<a href="[^"]+"[^>]*>([^<]+)</a>', nav)
    assert labels[:2] == ["Moje lokale", "Liczniki"], labels
    assert labels[-1] == "Zmień hasło", labels

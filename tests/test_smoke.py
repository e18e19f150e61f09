"""The two reference cooperatives answer on their own hosts."""


def test_home_pages_show_each_cooperative(zw_client, baltyk_client):
    zw = zw_client.get("/").get_data(as_text=True)
    baltyk = baltyk_client.get("/").get_data(as_text=True)
    assert "Zielone Wzgórza" in zw and "Bałtyk" not in zw
    assert "Bałtyk" in baltyk and "Zielone Wzgórza" not in baltyk

"""The resident's own data (RODO art. 15 and 20): everything held about them as one ZIP, who
of the staff viewed their data, how long what is kept, a request to delete the account
(feature ``my_data``)."""

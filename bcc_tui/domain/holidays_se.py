"""Swedish public and de-facto holidays, 2000-2079, each with the reason `non_business_reason`
gives for it (Sundays that are nothing more are left out: the weekday names them).

The `holidays` package gives the same (tests/domain/test_business_days.py compares the two over
the whole range, and prints this table anew when a new release of the package disagrees). Read
from here, the business-day calendar spares every start of the dashboard and of a command the
package's import and its computation of 80 years, about 0.1 s; the package is loaded only for a
date outside the range."""

TABLE = """\
2000-01-01 nyårsdagen
2000-01-06 trettondedag jul
2000-04-21 långfredagen
2000-04-23 påskdagen
2000-04-24 annandag påsk
2000-05-01 första maj
2000-06-01 kristi himmelsfärdsdag
2000-06-11 pingstdagen
2000-06-12 annandag pingst
2000-06-23 midsommarafton
2000-06-24 midsommardagen
2000-11-04 alla helgons dag
2000-12-24 julafton
2000-12-25 juldagen
2000-12-26 annandag jul
2000-12-31 nyårsafton
2001-01-01 nyårsdagen
2001-01-06 trettondedag jul
2001-04-13 långfredagen
2001-04-15 påskdagen
2001-04-16 annandag påsk
2001-05-01 första maj
2001-05-24 kristi himmelsfärdsdag
2001-06-03 pingstdagen
2001-06-04 annandag pingst
2001-06-22 midsommarafton
2001-06-23 midsommardagen
2001-11-03 alla helgons dag
2001-12-24 julafton
2001-12-25 juldagen
2001-12-26 annandag jul
2001-12-31 nyårsafton
2002-01-01 nyårsdagen
2002-01-06 trettondedag jul
2002-03-29 långfredagen
2002-03-31 påskdagen
2002-04-01 annandag påsk
2002-05-01 första maj
2002-05-09 kristi himmelsfärdsdag
2002-05-19 pingstdagen
2002-05-20 annandag pingst
2002-06-21 midsommarafton
2002-06-22 midsommardagen
2002-11-02 alla helgons dag
2002-12-24 julafton
2002-12-25 juldagen
2002-12-26 annandag jul
2002-12-31 nyårsafton
2003-01-01 nyårsdagen
2003-01-06 trettondedag jul
2003-04-18 långfredagen
2003-04-20 påskdagen
2003-04-21 annandag påsk
2003-05-01 första maj
2003-05-29 kristi himmelsfärdsdag
2003-06-08 pingstdagen
2003-06-09 annandag pingst
2003-06-20 midsommarafton
2003-06-21 midsommardagen
2003-11-01 alla helgons dag
2003-12-24 julafton
2003-12-25 juldagen
2003-12-26 annandag jul
2003-12-31 nyårsafton
2004-01-01 nyårsdagen
2004-01-06 trettondedag jul
2004-04-09 långfredagen
2004-04-11 påskdagen
2004-04-12 annandag påsk
2004-05-01 första maj
2004-05-20 kristi himmelsfärdsdag
2004-05-30 pingstdagen
2004-05-31 annandag pingst
2004-06-25 midsommarafton
2004-06-26 midsommardagen
2004-11-06 alla helgons dag
2004-12-24 julafton
2004-12-25 juldagen
2004-12-26 annandag jul
2004-12-31 nyårsafton
2005-01-01 nyårsdagen
2005-01-06 trettondedag jul
2005-03-25 långfredagen
2005-03-27 påskdagen
2005-03-28 annandag påsk
2005-05-01 första maj
2005-05-05 kristi himmelsfärdsdag
2005-05-15 pingstdagen
2005-06-06 nationaldagen
2005-06-24 midsommarafton
2005-06-25 midsommardagen
2005-11-05 alla helgons dag
2005-12-24 julafton
2005-12-25 juldagen
2005-12-26 annandag jul
2005-12-31 nyårsafton
2006-01-01 nyårsdagen
2006-01-06 trettondedag jul
2006-04-14 långfredagen
2006-04-16 påskdagen
2006-04-17 annandag påsk
2006-05-01 första maj
2006-05-25 kristi himmelsfärdsdag
2006-06-04 pingstdagen
2006-06-06 nationaldagen
2006-06-23 midsommarafton
2006-06-24 midsommardagen
2006-11-04 alla helgons dag
2006-12-24 julafton
2006-12-25 juldagen
2006-12-26 annandag jul
2006-12-31 nyårsafton
2007-01-01 nyårsdagen
2007-01-06 trettondedag jul
2007-04-06 långfredagen
2007-04-08 påskdagen
2007-04-09 annandag påsk
2007-05-01 första maj
2007-05-17 kristi himmelsfärdsdag
2007-05-27 pingstdagen
2007-06-06 nationaldagen
2007-06-22 midsommarafton
2007-06-23 midsommardagen
2007-11-03 alla helgons dag
2007-12-24 julafton
2007-12-25 juldagen
2007-12-26 annandag jul
2007-12-31 nyårsafton
2008-01-01 nyårsdagen
2008-01-06 trettondedag jul
2008-03-21 långfredagen
2008-03-23 påskdagen
2008-03-24 annandag påsk
2008-05-01 första maj
2008-05-11 pingstdagen
2008-06-06 nationaldagen
2008-06-20 midsommarafton
2008-06-21 midsommardagen
2008-11-01 alla helgons dag
2008-12-24 julafton
2008-12-25 juldagen
2008-12-26 annandag jul
2008-12-31 nyårsafton
2009-01-01 nyårsdagen
2009-01-06 trettondedag jul
2009-04-10 långfredagen
2009-04-12 påskdagen
2009-04-13 annandag påsk
2009-05-01 första maj
2009-05-21 kristi himmelsfärdsdag
2009-05-31 pingstdagen
2009-06-06 nationaldagen
2009-06-19 midsommarafton
2009-06-20 midsommardagen
2009-10-31 alla helgons dag
2009-12-24 julafton
2009-12-25 juldagen
2009-12-26 annandag jul
2009-12-31 nyårsafton
2010-01-01 nyårsdagen
2010-01-06 trettondedag jul
2010-04-02 långfredagen
2010-04-04 påskdagen
2010-04-05 annandag påsk
2010-05-01 första maj
2010-05-13 kristi himmelsfärdsdag
2010-05-23 pingstdagen
2010-06-06 nationaldagen
2010-06-25 midsommarafton
2010-06-26 midsommardagen
2010-11-06 alla helgons dag
2010-12-24 julafton
2010-12-25 juldagen
2010-12-26 annandag jul
2010-12-31 nyårsafton
2011-01-01 nyårsdagen
2011-01-06 trettondedag jul
2011-04-22 långfredagen
2011-04-24 påskdagen
2011-04-25 annandag påsk
2011-05-01 första maj
2011-06-02 kristi himmelsfärdsdag
2011-06-06 nationaldagen
2011-06-12 pingstdagen
2011-06-24 midsommarafton
2011-06-25 midsommardagen
2011-11-05 alla helgons dag
2011-12-24 julafton
2011-12-25 juldagen
2011-12-26 annandag jul
2011-12-31 nyårsafton
2012-01-01 nyårsdagen
2012-01-06 trettondedag jul
2012-04-06 långfredagen
2012-04-08 påskdagen
2012-04-09 annandag påsk
2012-05-01 första maj
2012-05-17 kristi himmelsfärdsdag
2012-05-27 pingstdagen
2012-06-06 nationaldagen
2012-06-22 midsommarafton
2012-06-23 midsommardagen
2012-11-03 alla helgons dag
2012-12-24 julafton
2012-12-25 juldagen
2012-12-26 annandag jul
2012-12-31 nyårsafton
2013-01-01 nyårsdagen
2013-01-06 trettondedag jul
2013-03-29 långfredagen
2013-03-31 påskdagen
2013-04-01 annandag påsk
2013-05-01 första maj
2013-05-09 kristi himmelsfärdsdag
2013-05-19 pingstdagen
2013-06-06 nationaldagen
2013-06-21 midsommarafton
2013-06-22 midsommardagen
2013-11-02 alla helgons dag
2013-12-24 julafton
2013-12-25 juldagen
2013-12-26 annandag jul
2013-12-31 nyårsafton
2014-01-01 nyårsdagen
2014-01-06 trettondedag jul
2014-04-18 långfredagen
2014-04-20 påskdagen
2014-04-21 annandag påsk
2014-05-01 första maj
2014-05-29 kristi himmelsfärdsdag
2014-06-06 nationaldagen
2014-06-08 pingstdagen
2014-06-20 midsommarafton
2014-06-21 midsommardagen
2014-11-01 alla helgons dag
2014-12-24 julafton
2014-12-25 juldagen
2014-12-26 annandag jul
2014-12-31 nyårsafton
2015-01-01 nyårsdagen
2015-01-06 trettondedag jul
2015-04-03 långfredagen
2015-04-05 påskdagen
2015-04-06 annandag påsk
2015-05-01 första maj
2015-05-14 kristi himmelsfärdsdag
2015-05-24 pingstdagen
2015-06-06 nationaldagen
2015-06-19 midsommarafton
2015-06-20 midsommardagen
2015-10-31 alla helgons dag
2015-12-24 julafton
2015-12-25 juldagen
2015-12-26 annandag jul
2015-12-31 nyårsafton
2016-01-01 nyårsdagen
2016-01-06 trettondedag jul
2016-03-25 långfredagen
2016-03-27 påskdagen
2016-03-28 annandag påsk
2016-05-01 första maj
2016-05-05 kristi himmelsfärdsdag
2016-05-15 pingstdagen
2016-06-06 nationaldagen
2016-06-24 midsommarafton
2016-06-25 midsommardagen
2016-11-05 alla helgons dag
2016-12-24 julafton
2016-12-25 juldagen
2016-12-26 annandag jul
2016-12-31 nyårsafton
2017-01-01 nyårsdagen
2017-01-06 trettondedag jul
2017-04-14 långfredagen
2017-04-16 påskdagen
2017-04-17 annandag påsk
2017-05-01 första maj
2017-05-25 kristi himmelsfärdsdag
2017-06-04 pingstdagen
2017-06-06 nationaldagen
2017-06-23 midsommarafton
2017-06-24 midsommardagen
2017-11-04 alla helgons dag
2017-12-24 julafton
2017-12-25 juldagen
2017-12-26 annandag jul
2017-12-31 nyårsafton
2018-01-01 nyårsdagen
2018-01-06 trettondedag jul
2018-03-30 långfredagen
2018-04-01 påskdagen
2018-04-02 annandag påsk
2018-05-01 första maj
2018-05-10 kristi himmelsfärdsdag
2018-05-20 pingstdagen
2018-06-06 nationaldagen
2018-06-22 midsommarafton
2018-06-23 midsommardagen
2018-11-03 alla helgons dag
2018-12-24 julafton
2018-12-25 juldagen
2018-12-26 annandag jul
2018-12-31 nyårsafton
2019-01-01 nyårsdagen
2019-01-06 trettondedag jul
2019-04-19 långfredagen
2019-04-21 påskdagen
2019-04-22 annandag påsk
2019-05-01 första maj
2019-05-30 kristi himmelsfärdsdag
2019-06-06 nationaldagen
2019-06-09 pingstdagen
2019-06-21 midsommarafton
2019-06-22 midsommardagen
2019-11-02 alla helgons dag
2019-12-24 julafton
2019-12-25 juldagen
2019-12-26 annandag jul
2019-12-31 nyårsafton
2020-01-01 nyårsdagen
2020-01-06 trettondedag jul
2020-04-10 långfredagen
2020-04-12 påskdagen
2020-04-13 annandag påsk
2020-05-01 första maj
2020-05-21 kristi himmelsfärdsdag
2020-05-31 pingstdagen
2020-06-06 nationaldagen
2020-06-19 midsommarafton
2020-06-20 midsommardagen
2020-10-31 alla helgons dag
2020-12-24 julafton
2020-12-25 juldagen
2020-12-26 annandag jul
2020-12-31 nyårsafton
2021-01-01 nyårsdagen
2021-01-06 trettondedag jul
2021-04-02 långfredagen
2021-04-04 påskdagen
2021-04-05 annandag påsk
2021-05-01 första maj
2021-05-13 kristi himmelsfärdsdag
2021-05-23 pingstdagen
2021-06-06 nationaldagen
2021-06-25 midsommarafton
2021-06-26 midsommardagen
2021-11-06 alla helgons dag
2021-12-24 julafton
2021-12-25 juldagen
2021-12-26 annandag jul
2021-12-31 nyårsafton
2022-01-01 nyårsdagen
2022-01-06 trettondedag jul
2022-04-15 långfredagen
2022-04-17 påskdagen
2022-04-18 annandag påsk
2022-05-01 första maj
2022-05-26 kristi himmelsfärdsdag
2022-06-05 pingstdagen
2022-06-06 nationaldagen
2022-06-24 midsommarafton
2022-06-25 midsommardagen
2022-11-05 alla helgons dag
2022-12-24 julafton
2022-12-25 juldagen
2022-12-26 annandag jul
2022-12-31 nyårsafton
2023-01-01 nyårsdagen
2023-01-06 trettondedag jul
2023-04-07 långfredagen
2023-04-09 påskdagen
2023-04-10 annandag påsk
2023-05-01 första maj
2023-05-18 kristi himmelsfärdsdag
2023-05-28 pingstdagen
2023-06-06 nationaldagen
2023-06-23 midsommarafton
2023-06-24 midsommardagen
2023-11-04 alla helgons dag
2023-12-24 julafton
2023-12-25 juldagen
2023-12-26 annandag jul
2023-12-31 nyårsafton
2024-01-01 nyårsdagen
2024-01-06 trettondedag jul
2024-03-29 långfredagen
2024-03-31 påskdagen
2024-04-01 annandag påsk
2024-05-01 första maj
2024-05-09 kristi himmelsfärdsdag
2024-05-19 pingstdagen
2024-06-06 nationaldagen
2024-06-21 midsommarafton
2024-06-22 midsommardagen
2024-11-02 alla helgons dag
2024-12-24 julafton
2024-12-25 juldagen
2024-12-26 annandag jul
2024-12-31 nyårsafton
2025-01-01 nyårsdagen
2025-01-06 trettondedag jul
2025-04-18 långfredagen
2025-04-20 påskdagen
2025-04-21 annandag påsk
2025-05-01 första maj
2025-05-29 kristi himmelsfärdsdag
2025-06-06 nationaldagen
2025-06-08 pingstdagen
2025-06-20 midsommarafton
2025-06-21 midsommardagen
2025-11-01 alla helgons dag
2025-12-24 julafton
2025-12-25 juldagen
2025-12-26 annandag jul
2025-12-31 nyårsafton
2026-01-01 nyårsdagen
2026-01-06 trettondedag jul
2026-04-03 långfredagen
2026-04-05 påskdagen
2026-04-06 annandag påsk
2026-05-01 första maj
2026-05-14 kristi himmelsfärdsdag
2026-05-24 pingstdagen
2026-06-06 nationaldagen
2026-06-19 midsommarafton
2026-06-20 midsommardagen
2026-10-31 alla helgons dag
2026-12-24 julafton
2026-12-25 juldagen
2026-12-26 annandag jul
2026-12-31 nyårsafton
2027-01-01 nyårsdagen
2027-01-06 trettondedag jul
2027-03-26 långfredagen
2027-03-28 påskdagen
2027-03-29 annandag påsk
2027-05-01 första maj
2027-05-06 kristi himmelsfärdsdag
2027-05-16 pingstdagen
2027-06-06 nationaldagen
2027-06-25 midsommarafton
2027-06-26 midsommardagen
2027-11-06 alla helgons dag
2027-12-24 julafton
2027-12-25 juldagen
2027-12-26 annandag jul
2027-12-31 nyårsafton
2028-01-01 nyårsdagen
2028-01-06 trettondedag jul
2028-04-14 långfredagen
2028-04-16 påskdagen
2028-04-17 annandag påsk
2028-05-01 första maj
2028-05-25 kristi himmelsfärdsdag
2028-06-04 pingstdagen
2028-06-06 nationaldagen
2028-06-23 midsommarafton
2028-06-24 midsommardagen
2028-11-04 alla helgons dag
2028-12-24 julafton
2028-12-25 juldagen
2028-12-26 annandag jul
2028-12-31 nyårsafton
2029-01-01 nyårsdagen
2029-01-06 trettondedag jul
2029-03-30 långfredagen
2029-04-01 påskdagen
2029-04-02 annandag påsk
2029-05-01 första maj
2029-05-10 kristi himmelsfärdsdag
2029-05-20 pingstdagen
2029-06-06 nationaldagen
2029-06-22 midsommarafton
2029-06-23 midsommardagen
2029-11-03 alla helgons dag
2029-12-24 julafton
2029-12-25 juldagen
2029-12-26 annandag jul
2029-12-31 nyårsafton
2030-01-01 nyårsdagen
2030-01-06 trettondedag jul
2030-04-19 långfredagen
2030-04-21 påskdagen
2030-04-22 annandag påsk
2030-05-01 första maj
2030-05-30 kristi himmelsfärdsdag
2030-06-06 nationaldagen
2030-06-09 pingstdagen
2030-06-21 midsommarafton
2030-06-22 midsommardagen
2030-11-02 alla helgons dag
2030-12-24 julafton
2030-12-25 juldagen
2030-12-26 annandag jul
2030-12-31 nyårsafton
2031-01-01 nyårsdagen
2031-01-06 trettondedag jul
2031-04-11 långfredagen
2031-04-13 påskdagen
2031-04-14 annandag påsk
2031-05-01 första maj
2031-05-22 kristi himmelsfärdsdag
2031-06-01 pingstdagen
2031-06-06 nationaldagen
2031-06-20 midsommarafton
2031-06-21 midsommardagen
2031-11-01 alla helgons dag
2031-12-24 julafton
2031-12-25 juldagen
2031-12-26 annandag jul
2031-12-31 nyårsafton
2032-01-01 nyårsdagen
2032-01-06 trettondedag jul
2032-03-26 långfredagen
2032-03-28 påskdagen
2032-03-29 annandag påsk
2032-05-01 första maj
2032-05-06 kristi himmelsfärdsdag
2032-05-16 pingstdagen
2032-06-06 nationaldagen
2032-06-25 midsommarafton
2032-06-26 midsommardagen
2032-11-06 alla helgons dag
2032-12-24 julafton
2032-12-25 juldagen
2032-12-26 annandag jul
2032-12-31 nyårsafton
2033-01-01 nyårsdagen
2033-01-06 trettondedag jul
2033-04-15 långfredagen
2033-04-17 påskdagen
2033-04-18 annandag påsk
2033-05-01 första maj
2033-05-26 kristi himmelsfärdsdag
2033-06-05 pingstdagen
2033-06-06 nationaldagen
2033-06-24 midsommarafton
2033-06-25 midsommardagen
2033-11-05 alla helgons dag
2033-12-24 julafton
2033-12-25 juldagen
2033-12-26 annandag jul
2033-12-31 nyårsafton
2034-01-01 nyårsdagen
2034-01-06 trettondedag jul
2034-04-07 långfredagen
2034-04-09 påskdagen
2034-04-10 annandag påsk
2034-05-01 första maj
2034-05-18 kristi himmelsfärdsdag
2034-05-28 pingstdagen
2034-06-06 nationaldagen
2034-06-23 midsommarafton
2034-06-24 midsommardagen
2034-11-04 alla helgons dag
2034-12-24 julafton
2034-12-25 juldagen
2034-12-26 annandag jul
2034-12-31 nyårsafton
2035-01-01 nyårsdagen
2035-01-06 trettondedag jul
2035-03-23 långfredagen
2035-03-25 påskdagen
2035-03-26 annandag påsk
2035-05-01 första maj
2035-05-03 kristi himmelsfärdsdag
2035-05-13 pingstdagen
2035-06-06 nationaldagen
2035-06-22 midsommarafton
2035-06-23 midsommardagen
2035-11-03 alla helgons dag
2035-12-24 julafton
2035-12-25 juldagen
2035-12-26 annandag jul
2035-12-31 nyårsafton
2036-01-01 nyårsdagen
2036-01-06 trettondedag jul
2036-04-11 långfredagen
2036-04-13 påskdagen
2036-04-14 annandag påsk
2036-05-01 första maj
2036-05-22 kristi himmelsfärdsdag
2036-06-01 pingstdagen
2036-06-06 nationaldagen
2036-06-20 midsommarafton
2036-06-21 midsommardagen
2036-11-01 alla helgons dag
2036-12-24 julafton
2036-12-25 juldagen
2036-12-26 annandag jul
2036-12-31 nyårsafton
2037-01-01 nyårsdagen
2037-01-06 trettondedag jul
2037-04-03 långfredagen
2037-04-05 påskdagen
2037-04-06 annandag påsk
2037-05-01 första maj
2037-05-14 kristi himmelsfärdsdag
2037-05-24 pingstdagen
2037-06-06 nationaldagen
2037-06-19 midsommarafton
2037-06-20 midsommardagen
2037-10-31 alla helgons dag
2037-12-24 julafton
2037-12-25 juldagen
2037-12-26 annandag jul
2037-12-31 nyårsafton
2038-01-01 nyårsdagen
2038-01-06 trettondedag jul
2038-04-23 långfredagen
2038-04-25 påskdagen
2038-04-26 annandag påsk
2038-05-01 första maj
2038-06-03 kristi himmelsfärdsdag
2038-06-06 nationaldagen
2038-06-13 pingstdagen
2038-06-25 midsommarafton
2038-06-26 midsommardagen
2038-11-06 alla helgons dag
2038-12-24 julafton
2038-12-25 juldagen
2038-12-26 annandag jul
2038-12-31 nyårsafton
2039-01-01 nyårsdagen
2039-01-06 trettondedag jul
2039-04-08 långfredagen
2039-04-10 påskdagen
2039-04-11 annandag påsk
2039-05-01 första maj
2039-05-19 kristi himmelsfärdsdag
2039-05-29 pingstdagen
2039-06-06 nationaldagen
2039-06-24 midsommarafton
2039-06-25 midsommardagen
2039-11-05 alla helgons dag
2039-12-24 julafton
2039-12-25 juldagen
2039-12-26 annandag jul
2039-12-31 nyårsafton
2040-01-01 nyårsdagen
2040-01-06 trettondedag jul
2040-03-30 långfredagen
2040-04-01 påskdagen
2040-04-02 annandag påsk
2040-05-01 första maj
2040-05-10 kristi himmelsfärdsdag
2040-05-20 pingstdagen
2040-06-06 nationaldagen
2040-06-22 midsommarafton
2040-06-23 midsommardagen
2040-11-03 alla helgons dag
2040-12-24 julafton
2040-12-25 juldagen
2040-12-26 annandag jul
2040-12-31 nyårsafton
2041-01-01 nyårsdagen
2041-01-06 trettondedag jul
2041-04-19 långfredagen
2041-04-21 påskdagen
2041-04-22 annandag påsk
2041-05-01 första maj
2041-05-30 kristi himmelsfärdsdag
2041-06-06 nationaldagen
2041-06-09 pingstdagen
2041-06-21 midsommarafton
2041-06-22 midsommardagen
2041-11-02 alla helgons dag
2041-12-24 julafton
2041-12-25 juldagen
2041-12-26 annandag jul
2041-12-31 nyårsafton
2042-01-01 nyårsdagen
2042-01-06 trettondedag jul
2042-04-04 långfredagen
2042-04-06 påskdagen
2042-04-07 annandag påsk
2042-05-01 första maj
2042-05-15 kristi himmelsfärdsdag
2042-05-25 pingstdagen
2042-06-06 nationaldagen
2042-06-20 midsommarafton
2042-06-21 midsommardagen
2042-11-01 alla helgons dag
2042-12-24 julafton
2042-12-25 juldagen
2042-12-26 annandag jul
2042-12-31 nyårsafton
2043-01-01 nyårsdagen
2043-01-06 trettondedag jul
2043-03-27 långfredagen
2043-03-29 påskdagen
2043-03-30 annandag påsk
2043-05-01 första maj
2043-05-07 kristi himmelsfärdsdag
2043-05-17 pingstdagen
2043-06-06 nationaldagen
2043-06-19 midsommarafton
2043-06-20 midsommardagen
2043-10-31 alla helgons dag
2043-12-24 julafton
2043-12-25 juldagen
2043-12-26 annandag jul
2043-12-31 nyårsafton
2044-01-01 nyårsdagen
2044-01-06 trettondedag jul
2044-04-15 långfredagen
2044-04-17 påskdagen
2044-04-18 annandag påsk
2044-05-01 första maj
2044-05-26 kristi himmelsfärdsdag
2044-06-05 pingstdagen
2044-06-06 nationaldagen
2044-06-24 midsommarafton
2044-06-25 midsommardagen
2044-11-05 alla helgons dag
2044-12-24 julafton
2044-12-25 juldagen
2044-12-26 annandag jul
2044-12-31 nyårsafton
2045-01-01 nyårsdagen
2045-01-06 trettondedag jul
2045-04-07 långfredagen
2045-04-09 påskdagen
2045-04-10 annandag påsk
2045-05-01 första maj
2045-05-18 kristi himmelsfärdsdag
2045-05-28 pingstdagen
2045-06-06 nationaldagen
2045-06-23 midsommarafton
2045-06-24 midsommardagen
2045-11-04 alla helgons dag
2045-12-24 julafton
2045-12-25 juldagen
2045-12-26 annandag jul
2045-12-31 nyårsafton
2046-01-01 nyårsdagen
2046-01-06 trettondedag jul
2046-03-23 långfredagen
2046-03-25 påskdagen
2046-03-26 annandag påsk
2046-05-01 första maj
2046-05-03 kristi himmelsfärdsdag
2046-05-13 pingstdagen
2046-06-06 nationaldagen
2046-06-22 midsommarafton
2046-06-23 midsommardagen
2046-11-03 alla helgons dag
2046-12-24 julafton
2046-12-25 juldagen
2046-12-26 annandag jul
2046-12-31 nyårsafton
2047-01-01 nyårsdagen
2047-01-06 trettondedag jul
2047-04-12 långfredagen
2047-04-14 påskdagen
2047-04-15 annandag påsk
2047-05-01 första maj
2047-05-23 kristi himmelsfärdsdag
2047-06-02 pingstdagen
2047-06-06 nationaldagen
2047-06-21 midsommarafton
2047-06-22 midsommardagen
2047-11-02 alla helgons dag
2047-12-24 julafton
2047-12-25 juldagen
2047-12-26 annandag jul
2047-12-31 nyårsafton
2048-01-01 nyårsdagen
2048-01-06 trettondedag jul
2048-04-03 långfredagen
2048-04-05 påskdagen
2048-04-06 annandag påsk
2048-05-01 första maj
2048-05-14 kristi himmelsfärdsdag
2048-05-24 pingstdagen
2048-06-06 nationaldagen
2048-06-19 midsommarafton
2048-06-20 midsommardagen
2048-10-31 alla helgons dag
2048-12-24 julafton
2048-12-25 juldagen
2048-12-26 annandag jul
2048-12-31 nyårsafton
2049-01-01 nyårsdagen
2049-01-06 trettondedag jul
2049-04-16 långfredagen
2049-04-18 påskdagen
2049-04-19 annandag påsk
2049-05-01 första maj
2049-05-27 kristi himmelsfärdsdag
2049-06-06 nationaldagen
2049-06-25 midsommarafton
2049-06-26 midsommardagen
2049-11-06 alla helgons dag
2049-12-24 julafton
2049-12-25 juldagen
2049-12-26 annandag jul
2049-12-31 nyårsafton
2050-01-01 nyårsdagen
2050-01-06 trettondedag jul
2050-04-08 långfredagen
2050-04-10 påskdagen
2050-04-11 annandag påsk
2050-05-01 första maj
2050-05-19 kristi himmelsfärdsdag
2050-05-29 pingstdagen
2050-06-06 nationaldagen
2050-06-24 midsommarafton
2050-06-25 midsommardagen
2050-11-05 alla helgons dag
2050-12-24 julafton
2050-12-25 juldagen
2050-12-26 annandag jul
2050-12-31 nyårsafton
2051-01-01 nyårsdagen
2051-01-06 trettondedag jul
2051-03-31 långfredagen
2051-04-02 påskdagen
2051-04-03 annandag påsk
2051-05-01 första maj
2051-05-11 kristi himmelsfärdsdag
2051-05-21 pingstdagen
2051-06-06 nationaldagen
2051-06-23 midsommarafton
2051-06-24 midsommardagen
2051-11-04 alla helgons dag
2051-12-24 julafton
2051-12-25 juldagen
2051-12-26 annandag jul
2051-12-31 nyårsafton
2052-01-01 nyårsdagen
2052-01-06 trettondedag jul
2052-04-19 långfredagen
2052-04-21 påskdagen
2052-04-22 annandag påsk
2052-05-01 första maj
2052-05-30 kristi himmelsfärdsdag
2052-06-06 nationaldagen
2052-06-09 pingstdagen
2052-06-21 midsommarafton
2052-06-22 midsommardagen
2052-11-02 alla helgons dag
2052-12-24 julafton
2052-12-25 juldagen
2052-12-26 annandag jul
2052-12-31 nyårsafton
2053-01-01 nyårsdagen
2053-01-06 trettondedag jul
2053-04-04 långfredagen
2053-04-06 påskdagen
2053-04-07 annandag påsk
2053-05-01 första maj
2053-05-15 kristi himmelsfärdsdag
2053-05-25 pingstdagen
2053-06-06 nationaldagen
2053-06-20 midsommarafton
2053-06-21 midsommardagen
2053-11-01 alla helgons dag
2053-12-24 julafton
2053-12-25 juldagen
2053-12-26 annandag jul
2053-12-31 nyårsafton
2054-01-01 nyårsdagen
2054-01-06 trettondedag jul
2054-03-27 långfredagen
2054-03-29 påskdagen
2054-03-30 annandag påsk
2054-05-01 första maj
2054-05-07 kristi himmelsfärdsdag
2054-05-17 pingstdagen
2054-06-06 nationaldagen
2054-06-19 midsommarafton
2054-06-20 midsommardagen
2054-10-31 alla helgons dag
2054-12-24 julafton
2054-12-25 juldagen
2054-12-26 annandag jul
2054-12-31 nyårsafton
2055-01-01 nyårsdagen
2055-01-06 trettondedag jul
2055-04-16 långfredagen
2055-04-18 påskdagen
2055-04-19 annandag påsk
2055-05-01 första maj
2055-05-27 kristi himmelsfärdsdag
2055-06-06 nationaldagen
2055-06-25 midsommarafton
2055-06-26 midsommardagen
2055-11-06 alla helgons dag
2055-12-24 julafton
2055-12-25 juldagen
2055-12-26 annandag jul
2055-12-31 nyårsafton
2056-01-01 nyårsdagen
2056-01-06 trettondedag jul
2056-03-31 långfredagen
2056-04-02 påskdagen
2056-04-03 annandag påsk
2056-05-01 första maj
2056-05-11 kristi himmelsfärdsdag
2056-05-21 pingstdagen
2056-06-06 nationaldagen
2056-06-23 midsommarafton
2056-06-24 midsommardagen
2056-11-04 alla helgons dag
2056-12-24 julafton
2056-12-25 juldagen
2056-12-26 annandag jul
2056-12-31 nyårsafton
2057-01-01 nyårsdagen
2057-01-06 trettondedag jul
2057-04-20 långfredagen
2057-04-22 påskdagen
2057-04-23 annandag påsk
2057-05-01 första maj
2057-05-31 kristi himmelsfärdsdag
2057-06-06 nationaldagen
2057-06-10 pingstdagen
2057-06-22 midsommarafton
2057-06-23 midsommardagen
2057-11-03 alla helgons dag
2057-12-24 julafton
2057-12-25 juldagen
2057-12-26 annandag jul
2057-12-31 nyårsafton
2058-01-01 nyårsdagen
2058-01-06 trettondedag jul
2058-04-12 långfredagen
2058-04-14 påskdagen
2058-04-15 annandag påsk
2058-05-01 första maj
2058-05-23 kristi himmelsfärdsdag
2058-06-02 pingstdagen
2058-06-06 nationaldagen
2058-06-21 midsommarafton
2058-06-22 midsommardagen
2058-11-02 alla helgons dag
2058-12-24 julafton
2058-12-25 juldagen
2058-12-26 annandag jul
2058-12-31 nyårsafton
2059-01-01 nyårsdagen
2059-01-06 trettondedag jul
2059-03-28 långfredagen
2059-03-30 påskdagen
2059-03-31 annandag påsk
2059-05-01 första maj
2059-05-08 kristi himmelsfärdsdag
2059-05-18 pingstdagen
2059-06-06 nationaldagen
2059-06-20 midsommarafton
2059-06-21 midsommardagen
2059-11-01 alla helgons dag
2059-12-24 julafton
2059-12-25 juldagen
2059-12-26 annandag jul
2059-12-31 nyårsafton
2060-01-01 nyårsdagen
2060-01-06 trettondedag jul
2060-04-16 långfredagen
2060-04-18 påskdagen
2060-04-19 annandag påsk
2060-05-01 första maj
2060-05-27 kristi himmelsfärdsdag
2060-06-06 nationaldagen
2060-06-25 midsommarafton
2060-06-26 midsommardagen
2060-11-06 alla helgons dag
2060-12-24 julafton
2060-12-25 juldagen
2060-12-26 annandag jul
2060-12-31 nyårsafton
2061-01-01 nyårsdagen
2061-01-06 trettondedag jul
2061-04-08 långfredagen
2061-04-10 påskdagen
2061-04-11 annandag påsk
2061-05-01 första maj
2061-05-19 kristi himmelsfärdsdag
2061-05-29 pingstdagen
2061-06-06 nationaldagen
2061-06-24 midsommarafton
2061-06-25 midsommardagen
2061-11-05 alla helgons dag
2061-12-24 julafton
2061-12-25 juldagen
2061-12-26 annandag jul
2061-12-31 nyårsafton
2062-01-01 nyårsdagen
2062-01-06 trettondedag jul
2062-03-24 långfredagen
2062-03-26 påskdagen
2062-03-27 annandag påsk
2062-05-01 första maj
2062-05-04 kristi himmelsfärdsdag
2062-05-14 pingstdagen
2062-06-06 nationaldagen
2062-06-23 midsommarafton
2062-06-24 midsommardagen
2062-11-04 alla helgons dag
2062-12-24 julafton
2062-12-25 juldagen
2062-12-26 annandag jul
2062-12-31 nyårsafton
2063-01-01 nyårsdagen
2063-01-06 trettondedag jul
2063-04-13 långfredagen
2063-04-15 påskdagen
2063-04-16 annandag påsk
2063-05-01 första maj
2063-05-24 kristi himmelsfärdsdag
2063-06-03 pingstdagen
2063-06-06 nationaldagen
2063-06-22 midsommarafton
2063-06-23 midsommardagen
2063-11-03 alla helgons dag
2063-12-24 julafton
2063-12-25 juldagen
2063-12-26 annandag jul
2063-12-31 nyårsafton
2064-01-01 nyårsdagen
2064-01-06 trettondedag jul
2064-04-04 långfredagen
2064-04-06 påskdagen
2064-04-07 annandag påsk
2064-05-01 första maj
2064-05-15 kristi himmelsfärdsdag
2064-05-25 pingstdagen
2064-06-06 nationaldagen
2064-06-20 midsommarafton
2064-06-21 midsommardagen
2064-11-01 alla helgons dag
2064-12-24 julafton
2064-12-25 juldagen
2064-12-26 annandag jul
2064-12-31 nyårsafton
2065-01-01 nyårsdagen
2065-01-06 trettondedag jul
2065-03-27 långfredagen
2065-03-29 påskdagen
2065-03-30 annandag påsk
2065-05-01 första maj
2065-05-07 kristi himmelsfärdsdag
2065-05-17 pingstdagen
2065-06-06 nationaldagen
2065-06-19 midsommarafton
2065-06-20 midsommardagen
2065-10-31 alla helgons dag
2065-12-24 julafton
2065-12-25 juldagen
2065-12-26 annandag jul
2065-12-31 nyårsafton
2066-01-01 nyårsdagen
2066-01-06 trettondedag jul
2066-04-09 långfredagen
2066-04-11 påskdagen
2066-04-12 annandag påsk
2066-05-01 första maj
2066-05-20 kristi himmelsfärdsdag
2066-05-30 pingstdagen
2066-06-06 nationaldagen
2066-06-25 midsommarafton
2066-06-26 midsommardagen
2066-11-06 alla helgons dag
2066-12-24 julafton
2066-12-25 juldagen
2066-12-26 annandag jul
2066-12-31 nyårsafton
2067-01-01 nyårsdagen
2067-01-06 trettondedag jul
2067-04-01 långfredagen
2067-04-03 påskdagen
2067-04-04 annandag påsk
2067-05-01 första maj
2067-05-12 kristi himmelsfärdsdag
2067-05-22 pingstdagen
2067-06-06 nationaldagen
2067-06-24 midsommarafton
2067-06-25 midsommardagen
2067-11-05 alla helgons dag
2067-12-24 julafton
2067-12-25 juldagen
2067-12-26 annandag jul
2067-12-31 nyårsafton
2068-01-01 nyårsdagen
2068-01-06 trettondedag jul
2068-04-20 långfredagen
2068-04-22 påskdagen
2068-04-23 annandag påsk
2068-05-01 första maj
2068-05-31 kristi himmelsfärdsdag
2068-06-06 nationaldagen
2068-06-10 pingstdagen
2068-06-22 midsommarafton
2068-06-23 midsommardagen
2068-11-03 alla helgons dag
2068-12-24 julafton
2068-12-25 juldagen
2068-12-26 annandag jul
2068-12-31 nyårsafton
2069-01-01 nyårsdagen
2069-01-06 trettondedag jul
2069-04-12 långfredagen
2069-04-14 påskdagen
2069-04-15 annandag påsk
2069-05-01 första maj
2069-05-23 kristi himmelsfärdsdag
2069-06-02 pingstdagen
2069-06-06 nationaldagen
2069-06-21 midsommarafton
2069-06-22 midsommardagen
2069-11-02 alla helgons dag
2069-12-24 julafton
2069-12-25 juldagen
2069-12-26 annandag jul
2069-12-31 nyårsafton
2070-01-01 nyårsdagen
2070-01-06 trettondedag jul
2070-03-28 långfredagen
2070-03-30 påskdagen
2070-03-31 annandag påsk
2070-05-01 första maj
2070-05-08 kristi himmelsfärdsdag
2070-05-18 pingstdagen
2070-06-06 nationaldagen
2070-06-20 midsommarafton
2070-06-21 midsommardagen
2070-11-01 alla helgons dag
2070-12-24 julafton
2070-12-25 juldagen
2070-12-26 annandag jul
2070-12-31 nyårsafton
2071-01-01 nyårsdagen
2071-01-06 trettondedag jul
2071-04-17 långfredagen
2071-04-19 påskdagen
2071-04-20 annandag påsk
2071-05-01 första maj
2071-05-28 kristi himmelsfärdsdag
2071-06-06 nationaldagen
2071-06-07 pingstdagen
2071-06-19 midsommarafton
2071-06-20 midsommardagen
2071-10-31 alla helgons dag
2071-12-24 julafton
2071-12-25 juldagen
2071-12-26 annandag jul
2071-12-31 nyårsafton
2072-01-01 nyårsdagen
2072-01-06 trettondedag jul
2072-04-08 långfredagen
2072-04-10 påskdagen
2072-04-11 annandag påsk
2072-05-01 första maj
2072-05-19 kristi himmelsfärdsdag
2072-05-29 pingstdagen
2072-06-06 nationaldagen
2072-06-24 midsommarafton
2072-06-25 midsommardagen
2072-11-05 alla helgons dag
2072-12-24 julafton
2072-12-25 juldagen
2072-12-26 annandag jul
2072-12-31 nyårsafton
2073-01-01 nyårsdagen
2073-01-06 trettondedag jul
2073-03-24 långfredagen
2073-03-26 påskdagen
2073-03-27 annandag påsk
2073-05-01 första maj
2073-05-04 kristi himmelsfärdsdag
2073-05-14 pingstdagen
2073-06-06 nationaldagen
2073-06-23 midsommarafton
2073-06-24 midsommardagen
2073-11-04 alla helgons dag
2073-12-24 julafton
2073-12-25 juldagen
2073-12-26 annandag jul
2073-12-31 nyårsafton
2074-01-01 nyårsdagen
2074-01-06 trettondedag jul
2074-04-13 långfredagen
2074-04-15 påskdagen
2074-04-16 annandag påsk
2074-05-01 första maj
2074-05-24 kristi himmelsfärdsdag
2074-06-03 pingstdagen
2074-06-06 nationaldagen
2074-06-22 midsommarafton
2074-06-23 midsommardagen
2074-11-03 alla helgons dag
2074-12-24 julafton
2074-12-25 juldagen
2074-12-26 annandag jul
2074-12-31 nyårsafton
2075-01-01 nyårsdagen
2075-01-06 trettondedag jul
2075-04-05 långfredagen
2075-04-07 påskdagen
2075-04-08 annandag påsk
2075-05-01 första maj
2075-05-16 kristi himmelsfärdsdag
2075-05-26 pingstdagen
2075-06-06 nationaldagen
2075-06-21 midsommarafton
2075-06-22 midsommardagen
2075-11-02 alla helgons dag
2075-12-24 julafton
2075-12-25 juldagen
2075-12-26 annandag jul
2075-12-31 nyårsafton
2076-01-01 nyårsdagen
2076-01-06 trettondedag jul
2076-04-17 långfredagen
2076-04-19 påskdagen
2076-04-20 annandag påsk
2076-05-01 första maj
2076-05-28 kristi himmelsfärdsdag
2076-06-06 nationaldagen
2076-06-07 pingstdagen
2076-06-19 midsommarafton
2076-06-20 midsommardagen
2076-10-31 alla helgons dag
2076-12-24 julafton
2076-12-25 juldagen
2076-12-26 annandag jul
2076-12-31 nyårsafton
2077-01-01 nyårsdagen
2077-01-06 trettondedag jul
2077-04-09 långfredagen
2077-04-11 påskdagen
2077-04-12 annandag påsk
2077-05-01 första maj
2077-05-20 kristi himmelsfärdsdag
2077-05-30 pingstdagen
2077-06-06 nationaldagen
2077-06-25 midsommarafton
2077-06-26 midsommardagen
2077-11-06 alla helgons dag
2077-12-24 julafton
2077-12-25 juldagen
2077-12-26 annandag jul
2077-12-31 nyårsafton
2078-01-01 nyårsdagen
2078-01-06 trettondedag jul
2078-04-01 långfredagen
2078-04-03 påskdagen
2078-04-04 annandag påsk
2078-05-01 första maj
2078-05-12 kristi himmelsfärdsdag
2078-05-22 pingstdagen
2078-06-06 nationaldagen
2078-06-24 midsommarafton
2078-06-25 midsommardagen
2078-11-05 alla helgons dag
2078-12-24 julafton
2078-12-25 juldagen
2078-12-26 annandag jul
2078-12-31 nyårsafton
2079-01-01 nyårsdagen
2079-01-06 trettondedag jul
2079-04-21 långfredagen
2079-04-23 påskdagen
2079-04-24 annandag påsk
2079-05-01 första maj
2079-06-01 kristi himmelsfärdsdag
2079-06-06 nationaldagen
2079-06-11 pingstdagen
2079-06-23 midsommarafton
2079-06-24 midsommardagen
2079-11-04 alla helgons dag
2079-12-24 julafton
2079-12-25 juldagen
2079-12-26 annandag jul
2079-12-31 nyårsafton
"""

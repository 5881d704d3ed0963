"""The course's content as data, independent of Sphinx: chapter notebooks,
glossary terms and the objectives-to-assessment map. The book's extension
(``tpmcourse.book``) and the tests both read the course through here."""

"""The trend feed: topics observed outside, and which genre each fits."""
